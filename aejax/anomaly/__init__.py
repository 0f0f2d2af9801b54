"""Anomaly detection: a detector library in PyOD's shape, and the user's-data pipeline.

Scores (higher = more anomalous) are kept apart from decisions: a named threshold policy turns
scores into a `Threshold` that says whether it used labels, and `decide` turns scores into 0/1.

Modules (numpy / scikit-learn only unless noted):
  labels       0/1 label checks
  scores       reconstruction errors, standardisers (residuals, ensemble members), ensemble means
  thresholds   threshold policies (label-free or label-using), `decide`
  metrics      AUROC / AUPRC (scikit-learn), F1 with and without point adjustment (and that of
               random scores at the same flag rate), `Evaluation`, `RunEvaluation`
  protocols    one-class and unsupervised splits
  windows      float32 sliding windows over series, streamed in chunks, and their aggregation
  detector     the `Detector` interface: fit / score / predict / save / load
  pca          PCA as PyOD scores it, and PCA reconstruction error
  iforest      Isolation Forest (scikit-learn)
  knn          distance to the k-th nearest training row (PyOD's KNN)
  combined     a weighted sum of detectors' training-standardised scores
  autoencoder  the autoencoder detector (jax): K members side by side, `train_autoencoder`
  series       a series detector: any detector over windows, streamed per step
  build        run config -> the AE detector and the baselines reported beside it
  sizing       widths, batch size and epochs sized to the data
  records      reading the user's CSV / .npy / .npz / Parquet in chunks, with row/column errors
  pipeline     preprocessor + detector (+ threshold) saved in a work directory
  serve        streamed scoring of a file by a pipeline (`aejax score`)
  fit          `aejax anomaly fit`: a detector on the user's file, with report.md and figures
  cli          the `aejax anomaly` command (light: imports the rest when it runs)
  report       figures and markdown tables of anomaly runs
  benchmark    the selection benchmark's cells (ADBench's protocol) and their cached scores
  synthetic    ADBench's four synthetic anomaly types from a set's normal rows
  candidates   table-detector candidates, trained once per cell and scored many ways
  ranks        average ranks over tasks; cross-validation over sets
  pyod_baselines  PyOD's detectors as baselines (optional extra aejax[baselines])
"""
