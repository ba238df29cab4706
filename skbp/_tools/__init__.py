"""Tools around the estimators: the gradient check, plots and the command line."""
