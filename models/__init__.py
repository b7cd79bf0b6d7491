"""The media-mix engine: data loading and validation, transforms, models, planning. Never imports dash."""
