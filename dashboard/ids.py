"""Every component id, in the form <page>-<thing>-<kind>; tests select elements through these."""


class App:
    SESSION = "app-session-store"
    DATASET = "app-dataset-store"
    CONFIG = "app-config-store"
    RUNNING = "app-running-store"  # the family whose fit runs now, or None; written by the fits' `running`
    WATCH = "app-watch-interval"  # after a reload: polls the session store until the fits that run are done
    PULSE = "app-pulse-interval"  # while a fit runs: asks whether its job is still alive
    PULSE_SINCE = "app-pulse-since-store"  # {family, since}: which fit the pulse follows, from when
    NOTICE = "app-notice-div"  # a server-side failure in words (dashboard/errors.py)
    EXPIRY = "app-expiry-interval"  # asks now and then whether the data shown are still on the server
    TABS = "app-main-tabs"


class Data:
    UPLOAD = "data-file-upload"
    PAYLOAD = "data-payload-store"
    DEMO = "data-demo-button"
    CLEAR_ASK = "data-clear-ask-button"  # "Clear my data": opens the confirmation
    CLEAR_DIALOG = "data-clear-dialog"
    CLEAR = "data-clear-button"  # the confirmation's "Delete my data": deletes (assets/clear.js, change_data)
    CLEAR_KEEP = "data-clear-keep-button"
    MESSAGE = "data-message-div"
    SUMMARY = "data-summary-div"
    ROLE_DATE = "data-role-date-dropdown"
    ROLE_TARGET = "data-role-target-dropdown"
    ROLE_CHANNELS = "data-role-channels-dropdown"
    ROLE_CONTROLS = "data-role-controls-dropdown"
    ROLE_MESSAGE = "data-role-message-div"
    ROLE_UNUSED = "data-role-unused-div"


class Explore:
    CHANNELS = "explore-channels-checklist"
    SERIES = "explore-series-graph"
    PERIOD = "explore-period-radio"  # per day, week or month
    SHARE = "explore-share-graph"
    CORRELATION = "explore-correlation-graph"
    VIF = "explore-vif-graph"
    VIF_HELP = "explore-help-vif"  # the ⓘ under the VIF chart (dashboard.ui's help button, scope "explore")
    VIF_HELP_TEXT = "explore-help-vif-text"
    CORRELATION_HELP = "explore-help-correlation"
    CORRELATION_HELP_TEXT = "explore-help-correlation-text"
    STATS = "explore-stats-div"
    STATUS = "explore-status-div"
    EXPORT_XLSX = "explore-export-xlsx-button"
    EXPORT_CSV = "explore-export-csv-button"
    DOWNLOAD = "explore-export-download"


class Models:
    TABS = "models-family-tabs"
    HOLDOUT = "models-holdout-slider"
    HOLDOUT_NOTE = "models-holdout-note-div"  # what the slider changes: the next fits, not the ones shown
    LEADERBOARD = "models-leaderboard-div"
    RECOMMENDATION = "models-recommendation-div"
    COMPARE_ROAS = "models-compare-roas-graph"
    COMPARE_BOX = "models-compare-roas-div"  # shown from two fits on
    DISAGREEMENTS = "models-disagreements-div"

    @staticmethod
    def fit_button(family: str) -> str:
        return f"models-{family}-fit-button"

    @staticmethod
    def cancel_button(family: str) -> str:
        return f"models-{family}-cancel-button"

    @staticmethod
    def progress(family: str) -> str:
        return f"models-{family}-progress-bar"

    @staticmethod
    def result_store(family: str) -> str:
        return f"models-{family}-result-store"

    @staticmethod
    def stage_store(family: str) -> str:
        """Set by the fit job (set_props) each time a stage is saved, so the results fill in as they finish."""
        return f"models-{family}-stage-store"

    @staticmethod
    def results(family: str) -> str:
        return f"models-{family}-results-div"

    @staticmethod
    def option(family: str, name: str) -> str:
        return f"models-{family}-{name}-input"

    @staticmethod
    def checks(family: str) -> str:
        return f"models-{family}-checks-card"

    @staticmethod
    def intervals_note(family: str) -> str:
        return f"models-{family}-intervals-note"

    @staticmethod
    def graph(family: str, kind: str) -> str:
        return f"models-{family}-{kind}-graph"


class Plan:
    STATUS = "plan-status-div"
    RUNNING = "plan-running-div"
    BODY = "plan-body-div"
    FITS = "plan-fits-store"
    FAMILY = "plan-family-select"
    RECOMMENDATION = "plan-recommendation-div"
    RECOMMENDED = "plan-recommended-store"  # the recommendation the page last followed (a choice of the user's differs)
    PERIODS = "plan-periods-input"
    PERIODS_UNIT = "plan-periods-unit-span"
    CHANNELS = "plan-channels-div"
    CONTROLS = "plan-controls-store"  # the model, data version and starting spend the spend controls were built for
    CONTROLS_NOTE = "plan-controls-note-div"  # what a model switch kept, dropped, or finds out of range
    WHATIF_SUMMARY = "plan-whatif-summary-div"
    WHATIF_TABLE = "plan-whatif-table-div"
    PREDICTION = "plan-prediction-graph"
    INCREMENTAL = "plan-incremental-graph"
    BOUNDS = "plan-bounds-div"
    BOUND_UNIT = "plan-bound-unit-radio"
    GOAL = "plan-goal-radio"
    BUDGET = "plan-budget-input"
    BUDGET_BOX = "plan-budget-div"
    TARGET = "plan-target-input"
    TARGET_BOX = "plan-target-div"
    RISK = "plan-risk-radio"
    RISK_BOX = "plan-risk-div"  # shown only for a model with intervals
    OBJECTIVE = "plan-objective-radio"
    MIN_ROAS = "plan-min-roas-input"
    OPTIMISE = "plan-optimise-button"
    RESULT = "plan-result-store"
    RESULT_VIEW = "plan-result-div"
    ALLOCATION = "plan-allocation-graph"
    ALLOCATION_TABLE = "plan-allocation-table"
    MESSAGES = "plan-messages-list"
    APPLY = "plan-apply-button"
    EXPORT_XLSX = "plan-export-xlsx-button"
    EXPORT_PLAN_CSV = "plan-export-plan-csv-button"
    EXPORT_PREDICTION_CSV = "plan-export-prediction-csv-button"
    DOWNLOAD = "plan-export-download"
    SCENARIO_NAME = "plan-scenario-name-input"
    SCENARIO_SOURCE = "plan-scenario-source-radio"
    SAVE_SCENARIO = "plan-scenario-save-button"
    SCENARIO_MESSAGE = "plan-scenario-message-div"
    SCENARIOS = "plan-scenarios-store"  # a revision: the scenarios themselves stay in the session store
    SCENARIO_LIST = "plan-scenario-list-div"
    COMPARISON = "plan-comparison-div"
    COMPARISON_GRAPH = "plan-comparison-graph"
    EXPORT_COMPARISON = "plan-comparison-export-button"
    COMPARISON_DOWNLOAD = "plan-comparison-download"

    @staticmethod
    def slider(channel: str) -> dict:
        return {"type": "plan-spend-slider", "channel": channel}

    @staticmethod
    def spend(channel: str) -> dict:
        return {"type": "plan-spend-input", "channel": channel}

    @staticmethod
    def lock(channel: str) -> dict:
        return {"type": "plan-lock-checkbox", "channel": channel}

    @staticmethod
    def minimum(channel: str) -> dict:
        return {"type": "plan-min-input", "channel": channel}

    @staticmethod
    def maximum(channel: str) -> dict:
        return {"type": "plan-max-input", "channel": channel}

    @staticmethod
    def scenario_pick(scenario: str) -> dict:
        return {"type": "plan-scenario-pick-checkbox", "scenario": scenario}

    @staticmethod
    def scenario_delete(scenario: str) -> dict:
        return {"type": "plan-scenario-delete-button", "scenario": scenario}


class Share:
    FAMILY = "share-family-select"
    DAYS = "share-days-input"
    CREATE = "share-create-button"
    MESSAGE = "share-message-div"
    LINKS = "share-links-div"
    REVISION = "share-revision-store"  # bumped when a link is made or revoked: the list redraws
    REPORT = "share-report-button"
    DOWNLOAD = "share-report-download"

    @staticmethod
    def link(token: str) -> dict:
        """The box holding a link just made, to copy from."""
        return {"type": "share-link-input", "token": token}

    @staticmethod
    def revoke(token: str) -> dict:
        return {"type": "share-revoke-button", "token": token}
