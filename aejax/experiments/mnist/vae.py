"""Variational autoencoder on dynamically binarised MNIST: test ELBO and importance-weighted log-likelihood.

Run:      aejax run mnist/vae            (quick: aejax run mnist/vae --quick)
Paper:    Kingma & Welling (2014), Auto-Encoding Variational Bayes, ICLR: the MLP VAE and its
          lower bound (Fig. 2, MNIST: about -100 nats per test image for N_z = 20 and 200 after
          10^8 training examples, read off the figure). The test log-likelihood of the same MLP
          VAE: Burda, Grosse & Salakhutdinov (2016), Importance Weighted Autoencoders, ICLR,
          Table 1 (MNIST, one stochastic layer, VAE k = 1): -86.76 nats, estimated with k = 5000.
Protocol: Burda et al.'s architecture 784-200-200-50 (tanh, Gaussian q(z | x), Bernoulli decoder),
          inputs binarised afresh each step (x ~ Bernoulli(pixel intensity)); objective "elbo",
          300 epochs of Adam with a cosine-decayed rate, batches of 100. Evaluators: the test
          ELBO every 10 epochs ("test_elbo/elbo") and, after training, log p(x) with k = 5000
          importance samples ("test_iwae/log_likelihood"); the test set binarised once (key 0).
Expected: with 300 epochs (their 3,280 passes are beyond a CPU budget) a test ELBO near -94 and
          a log-likelihood within about 3 nats of the published -86.76.
"""
from ml_collections import ConfigDict

from aejax.config import base_config, reference


def get_config(arg=None):
    c = base_config()
    c.task = "reconstruct"
    c.paper = "Kingma & Welling (2014), Auto-Encoding Variational Bayes, ICLR; Burda, Grosse & Salakhutdinov (2016), ICLR"
    c.reference["test_elbo/elbo"] = reference(-100.0, 5.0, "Kingma & Welling 2014 Fig. 2, MNIST test lower bound "
                                              "(N_z = 20, read off the figure)", units="nats", higher_is_better=True)
    c.reference["test_iwae/log_likelihood"] = reference(-86.76, 2.0, "Burda et al. 2016 Table 1, MNIST, VAE, one "
                                                        "stochastic layer, k = 1 (test, k = 5000)", units="nats",
                                                        higher_is_better=True)
    c.primary_metric = "test_iwae/log_likelihood"
    c.model = ConfigDict(dict(name="vae", hidden=(200, 200), latent=50, hidden_activation="tanh", output_activation="sigmoid"))
    c.objective = ConfigDict(dict(name="elbo", kl_weight=1.0, binarize=True))
    c.evals = ConfigDict(dict(test_elbo=dict(kind="elbo", binarize=True, every_epochs=10),
                              test_iwae=dict(kind="iwae", samples=5000, batch_size=10, binarize=True)))
    c.train.epochs = 300
    c.train.optimizer.schedule = "cosine"
    c.train.optimizer.final_fraction = 0.1
    c.train.checkpoint_every = 6000
    c.train.log_every = 600
    c.eval.every_epochs = 10
    if arg == "quick":  # a narrow VAE, 20 epochs on 2,000 images, 50 importance samples
        c.data.train_split, c.data.test_split = "train[:2000]", "test[:500]"
        c.model.hidden, c.model.latent = (64,), 8
        c.evals.test_elbo.every_epochs = 1
        c.evals.test_iwae.samples, c.evals.test_iwae.batch_size = 50, 100
        c.train.epochs, c.train.optimizer.learning_rate, c.train.log_every = 20, 3e-3, 10
    return c
