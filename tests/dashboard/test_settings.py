"""Settings from the environment: safe defaults, limits, a private data directory."""

from dashboard.settings import Settings


def test_defaults_need_no_services_and_keep_data_private(tmp_path):
    settings = Settings.from_env({"MMM_DATA_DIR": str(tmp_path / "mmm")})
    assert settings.redis_url is None
    assert settings.session_ttl == 7200
    assert settings.limits.max_bytes == 10_000_000 and settings.limits.max_rows == 20_000
    assert settings.limits.max_columns == 60
    assert (tmp_path / "mmm").stat().st_mode & 0o777 == 0o700
    secret = settings.secret_key
    assert len(secret) >= 32
    assert Settings.from_env({"MMM_DATA_DIR": str(tmp_path / "mmm")}).secret_key == secret  # shared by workers
    assert (tmp_path / "mmm" / "secret_key").stat().st_mode & 0o777 == 0o600


def test_environment_overrides(tmp_path):
    env = {
        "MMM_DATA_DIR": str(tmp_path),
        "SECRET_KEY": "k",
        "REDIS_URL": "redis://localhost:6379/1",
        "MMM_SESSION_TTL": "60",
        "MMM_MAX_UPLOAD_MB": "2",
        "MMM_MAX_ROWS": "100",
        "MMM_MAX_COLUMNS": "8",
        "MMM_MIN_ROWS": "10",
    }
    settings = Settings.from_env(env)
    assert (settings.secret_key, settings.redis_url, settings.session_ttl) == ("k", "redis://localhost:6379/1", 60)
    assert settings.limits.max_bytes == 2_000_000 and settings.limits.min_rows == 10
    assert settings.max_request_bytes > settings.limits.max_bytes * 4 // 3
