"""The PySide6 user interface. Widgets call services and show domain objects; they never open a
database session themselves."""
