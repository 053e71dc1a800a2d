"""Provider-specific code behind one small interface (``base.Provider``)."""
