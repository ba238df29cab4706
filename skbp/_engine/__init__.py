"""The NumPy backpropagation engine: network, layers, losses, activations, optimizers, training loop.

Nothing in here knows about scikit-learn estimators; :mod:`skbp._estimators` builds on it."""
