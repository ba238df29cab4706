"""The scikit-learn estimators built on :mod:`skbp._engine`: parameter validation, target encoding, fitted attributes."""
