"""Default `config.classify` (task "classify", `aejax.tasks.classify`)."""
from ml_collections import ConfigDict

MODES = ("frozen", "finetuned", "scratch")


def classify_config() -> ConfigDict:
    """Default `config.classify`."""
    return ConfigDict(dict(
        train_split="train[:50000]",
        val_split="train[50000:]",
        test_split="test",
        head_sizes=(),
        head_activation="sigmoid",
        num_classes=10,
        modes=MODES,
        finetune_top_k=-1,  # -1: fine-tune every encoder layer; k >= 0: only the top k
        finetune_from="pretrained",  # or "frozen": start fine-tuning from the frozen mode's result
        learning_rates=(0.1,),
        noise_levels=(),  # pretraining noise levels to select from; () = pretrain.corruption.level
        input_corruption=ConfigDict(dict(name="none", level=0.0)),  # noise on the classifier's inputs
    ))
