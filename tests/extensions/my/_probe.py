"""Evaluator "centroid_probe": the nearest-class-mean classifier's test error (%) on the codes."""
import numpy as np

from aejax import data, eval as eval_lib, evals


@evals.register("centroid_probe")
def centroid_probe(config, model):
    train, test = (data.load(config.data.name, s) for s in (config.data.train_split, config.data.test_split))

    def evaluate(state):
        codes = lambda x: np.asarray(eval_lib.encode(model, state.params, x, collections=state.collections))  # noqa: E731
        z_train, z_test = codes(train.x), codes(test.x)
        centroids = np.stack([z_train[train.y == c].mean(0) for c in range(10)])
        predicted = np.argmin(((z_test[:, None] - centroids) ** 2).sum(-1), axis=1)
        return {"test_error": 100 * float(np.mean(predicted != test.y))}

    return evaluate
