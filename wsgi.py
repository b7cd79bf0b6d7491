"""WSGI entry point: ``gunicorn wsgi:server`` (see Procfile)."""

from dashboard.warmup import use_data_dir_caches

use_data_dir_caches()  # PyTensor's and numba's compile caches in MMM_DATA_DIR/compile: before either is imported

from dashboard import create_app  # noqa: E402

app = create_app()
server = app.server
celery_app = app.celery_app  # with REDIS_URL: `celery -A wsgi:celery_app worker` runs the model fits

if __name__ == "__main__":
    import os

    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "8050")), debug=False)
