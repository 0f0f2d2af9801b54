"""Baselines the autoencoders are compared against: PCA and logistic PCA."""
