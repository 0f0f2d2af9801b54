"""Default `config.pretrain`: greedy layer-wise stages for the stacked tasks (classify, semisup,
cluster); see `aejax.train.stacked`."""
from ml_collections import ConfigDict


def pretrain_config(epochs: int = 20, kind: str = "ae", corruption_name: str = "masking", level: float = 0.25) -> ConfigDict:
    """Default `config.pretrain`: masking-noise SdA stages trained with SGD (Vincent et al.)."""
    return ConfigDict(dict(
        kind=kind,
        epochs=epochs,
        batch_size=20,
        tied=True,
        corruption=ConfigDict(dict(name=corruption_name, level=level)),
        optimizer=ConfigDict(dict(name="sgd", learning_rate=0.05, schedule="constant", warmup_steps=0,
                                  final_fraction=0.0, decay_rate=0.1, momentum=0.0, weight_decay=0.0,
                                  grad_clip_norm=0.0)),
        rbm=ConfigDict(dict(learning_rate=0.1, code_learning_rate=0.001, weight_cost=0.0002, cd_k=1)),
        finetune=ConfigDict(dict(epochs=0, batch_size=100, corrupt=True,
                                 optimizer=ConfigDict(dict(name="adam", learning_rate=1e-3, schedule="cosine",
                                                           warmup_steps=0, final_fraction=0.05, decay_rate=0.1,
                                                           momentum=0.9, weight_decay=0.0, grad_clip_norm=0.0)))),
    ))
