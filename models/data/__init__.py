"""Reading and validating uploaded data (CSV or .xlsx) for media-mix modelling.

from models.data import read_upload, DataError
upload = read_upload(content, filename)
upload.frame, upload.roles, upload.warnings
"""

from models.data.errors import DataError
from models.data.limits import Limits
from models.data.names import check_upload_name, display_name
from models.data.upload import Upload, read_upload
from models.data.validate import validate_roles

__all__ = ["DataError", "Limits", "Upload", "check_upload_name", "display_name", "read_upload", "validate_roles"]
