"""TFDS builders bundled with aejax; importing this package registers them.

To add a dataset: write one module here with a builder class decorated by
`@aejax.data.registry.register("name")` and add the module to the import list below.
"""

from aejax.data.builders import curves, digits, faces, fashion_mnist, mnist, newsgroups, rcv1  # noqa: F401
