"""Training engine: state, optimizers, pure steps, the fit loop, pretraining."""
