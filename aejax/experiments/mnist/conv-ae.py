"""MNIST 2-D convolutional autoencoder (untied) with a 30-dimensional code, trained with Adam.

Run:      aejax run mnist/conv-ae            (quick: aejax run mnist/conv-ae --quick)
Paper:    Hinton & Salakhutdinov (2006), Science 313:504, Fig. 2B: test SSE per image 3.00 for the
          deep 784-1000-500-250-30 MLP (RBM-pretrained, CG fine-tuned): the same metric and code
          width. The architecture follows Masci, Meier, Ciresan, Schmidhuber (2011), Stacked
          Convolutional Auto-Encoders for Hierarchical Feature Extraction, ICANN (conv encoder, the
          decoder its transposed convolutions); they report no reconstruction error.
Protocol: conv 3x3 stride 2 (SAME) 1->16->32->64 channels (28 -> 14 -> 7 -> 4), ReLU, a dense
          linear 30-d code, the decoder the mirrored transposed convolutions, sigmoid output,
          cross-entropy, 5 epochs of Adam (cosine) in batches of 100: a CPU budget (an epoch takes
          2 to 8 minutes on a 2-core CPU, by how busy it is), not a converged run.
Expected: test SSE per image near the deep MLP's 3.00 with far fewer parameters, given epochs;
          after these 5 it is about 5.5 and still falling.
"""
from ml_collections import ConfigDict

from aejax.config import base_config, reference


def get_config(arg=None):
    c = base_config()
    c.paper = "Masci et al. (2011), Stacked Convolutional Auto-Encoders, ICANN; metric of Hinton & Salakhutdinov (2006)"
    c.reference.test_sse_per_image = reference(3.00, 1.0, "H&S 2006 Fig. 2B, deep MLP AE-30", units="SSE/image")
    c.model = ConfigDict(dict(name="conv2d", channels=(16, 32, 64), kernel_size=3, stride=2, hidden_activation="relu",
                              output_activation="sigmoid", tied=False, code_size=30))
    c.train.epochs = 5
    c.train.optimizer.schedule = "cosine"
    c.train.optimizer.final_fraction = 0.05
    c.train.checkpoint_every = 6000
    c.train.log_every = 200
    if arg == "quick":  # a narrow net, six epochs on the first 2,000 training images
        c.data.train_split, c.data.test_split = "train[:2000]", "test[:500]"
        c.model.channels = (4, 8, 8)
        c.train.epochs, c.train.optimizer.learning_rate, c.train.log_every = 6, 1e-2, 5
    return c
