"""Data parallelism over a device mesh, and multi-host initialisation.

One mesh axis, `data`, over all devices (or the first `--devices N`). Training examples are
sharded along it (replicated instead when their count does not divide evenly), every global
batch is sharded along it, and parameters and optimizer state are replicated. One device is the
same program on a 1-device mesh. The batch order is a permutation of the global example indices,
so a run gives the same batches, and equal parameters within float tolerance, on any device or
process count.

Multi-host: `initialize(coordinator, num_processes, process_id)` (or the environment variables
JAX_COORDINATOR_ADDRESS, JAX_NUM_PROCESSES, JAX_PROCESS_ID) starts `jax.distributed`; the mesh
then spans the devices of all processes, each process holds only the example rows of its own
devices (`process_rows`, `global_examples`), and process 0 writes the run's records.
"""
import contextlib
import contextvars
import os

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from aejax.run import Run

DATA_AXIS = "data"

_MESH: contextvars.ContextVar[Mesh | None] = contextvars.ContextVar("aejax_mesh", default=None)


def make_mesh(num_devices: int | None = None) -> Mesh:
    """A 1-D mesh with axis `data` over the first `num_devices` devices (default: all)."""
    devices = jax.devices()
    if num_devices is None:
        num_devices = len(devices)
    if not 1 <= num_devices <= len(devices):
        raise ValueError(
            f"--devices {num_devices} is not between 1 and the {len(devices)} {devices[0].platform} devices available; "
            "pass a smaller count (or set XLA_FLAGS=--xla_force_host_platform_device_count=N for N CPU devices)"
        )
    return Mesh(np.asarray(devices[:num_devices]), (DATA_AXIS,))


@contextlib.contextmanager
def use_mesh(mesh: Mesh):
    """Within this block, `current_mesh()` (and so `fit` and `batched_map`) uses `mesh`."""
    token = _MESH.set(mesh)
    try:
        yield mesh
    finally:
        _MESH.reset(token)


def active_mesh() -> Mesh | None:
    """The mesh set by an enclosing `use_mesh`, or None."""
    return _MESH.get()


def current_mesh() -> Mesh:
    """The mesh set by `use_mesh`, else a mesh over all devices."""
    mesh = _MESH.get()
    return make_mesh() if mesh is None else mesh


def mesh_size(mesh: Mesh) -> int:
    return int(mesh.devices.size)


def describe(mesh: Mesh) -> dict:
    """JSON-able summary: device count, axis, platform, device kind and process count."""
    first = mesh.devices.flat[0]
    return {
        "devices": mesh_size(mesh),
        "axis": DATA_AXIS,
        "platform": first.platform,
        "kind": first.device_kind,
        "processes": jax.process_count(),
    }


def replicated(mesh: Mesh) -> NamedSharding:
    return NamedSharding(mesh, PartitionSpec())


def batch_sharding(mesh: Mesh) -> NamedSharding:
    """Leading (batch) axis split along `data`."""
    return NamedSharding(mesh, PartitionSpec(DATA_AXIS))


def example_sharding(mesh: Mesh, num_examples: int) -> NamedSharding:
    """Where a dataset of `num_examples` rows lives: row blocks per device when the count
    divides evenly, else a full copy on every device."""
    return batch_sharding(mesh) if num_examples % mesh_size(mesh) == 0 else replicated(mesh)


def _place(leaf, sharding: NamedSharding) -> jax.Array:
    if isinstance(leaf, jax.Array) and leaf.sharding == sharding:
        return leaf
    if jax.process_count() == 1:
        return jax.device_put(leaf, sharding)
    if isinstance(leaf, jax.Array) and not leaf.is_fully_addressable:
        raise ValueError(
            f"an array sharded as {leaf.sharding} cannot be resharded to {sharding} across processes here; "
            "build it with aejax.distributed.global_examples or pass host (NumPy) data"
        )
    host = np.asarray(leaf)
    return jax.make_array_from_callback(host.shape, sharding, lambda index: host[index])


def put_replicated(tree, mesh: Mesh):
    """Every leaf of `tree` (params, optimizer state, a TrainState) copied to every mesh device."""
    sharding = replicated(mesh)
    return jax.tree_util.tree_map(lambda leaf: _place(leaf, sharding), tree)


def put_examples(tree, mesh: Mesh):
    """Every leaf of `tree` ([N, ...] examples, same N) placed with `example_sharding`. In a
    multi-process run each process passes the full host array and transfers only its own rows;
    arrays already built by `global_examples` pass through."""
    leaves = jax.tree_util.tree_leaves(tree)
    sharding = example_sharding(mesh, leaves[0].shape[0])
    return jax.tree_util.tree_map(lambda leaf: _place(leaf, sharding), tree)


def state_shardings(tree, mesh: Mesh):
    """A replicated sharding for every leaf of `tree` (for jit in/out shardings)."""
    sharding = replicated(mesh)
    return jax.tree_util.tree_map(lambda _: sharding, tree)


def example_shardings(tree, mesh: Mesh):
    """`example_sharding` for every leaf of an example pytree (for jit in_shardings)."""
    sharding = example_sharding(mesh, jax.tree_util.tree_leaves(tree)[0].shape[0])
    return jax.tree_util.tree_map(lambda _: sharding, tree)


def constrain_batch(batch, mesh: Mesh | None):
    """Inside jit: split the leading axis of every leaf of `batch` along `data` (no-op on one device)."""
    if mesh is None or mesh_size(mesh) == 1:
        return batch
    sharding = batch_sharding(mesh)
    return jax.tree_util.tree_map(lambda a: jax.lax.with_sharding_constraint(a, sharding), batch)


def process_rows(num_examples: int, mesh: Mesh) -> slice:
    """The rows [start, stop) of an `num_examples`-row dataset that this process must hold."""
    sharding = example_sharding(mesh, num_examples)
    starts, stops = [], []
    for index in sharding.addressable_devices_indices_map((num_examples,)).values():
        rows = index[0]
        starts.append(rows.start or 0)
        stops.append(num_examples if rows.stop is None else rows.stop)
    start, stop = min(starts), max(stops)
    if sum(b - a for a, b in set(zip(starts, stops))) not in (stop - start, num_examples):
        raise ValueError(f"this process's devices do not hold one contiguous block of the {num_examples} rows")
    return slice(start, stop)


def global_examples(local_tree, num_examples: int, mesh: Mesh):
    """Assemble per-process rows (`local_tree[...][process_rows(num_examples, mesh)]`) into
    global arrays of `num_examples` rows sharded like `put_examples`."""
    sharding = example_sharding(mesh, num_examples)

    def build(local):
        local = np.asarray(local)
        return jax.make_array_from_process_local_data(sharding, local, (num_examples,) + local.shape[1:])

    return jax.tree_util.tree_map(build, local_tree)


class FollowerRun(Run):
    """The `Run` of a process other than 0: trains and checkpoints with the others, but prints
    and logs nothing (process 0 writes the run's records)."""

    def __init__(self, workdir):
        super().__init__(workdir, quiet=True)

    def log(self, record: dict) -> None:
        del record

    def rewind(self, phase, step) -> None:
        del phase, step


def is_primary() -> bool:
    """True on the process that writes logs, reports and figures (process 0)."""
    return jax.process_index() == 0


def initialize(coordinator: str | None = None, num_processes: int | None = None, process_id: int | None = None) -> bool:
    """Start `jax.distributed` for a multi-process run; returns whether it did.

    Arguments default to JAX_COORDINATOR_ADDRESS, JAX_NUM_PROCESSES and JAX_PROCESS_ID; with no
    coordinator at all this is a single-process run and nothing happens. Must run before any
    other JAX call.
    """
    coordinator = coordinator or os.environ.get("JAX_COORDINATOR_ADDRESS")
    if num_processes is None and os.environ.get("JAX_NUM_PROCESSES"):
        num_processes = int(os.environ["JAX_NUM_PROCESSES"])
    if process_id is None and os.environ.get("JAX_PROCESS_ID"):
        process_id = int(os.environ["JAX_PROCESS_ID"])
    if coordinator is None:
        if num_processes not in (None, 1) or process_id not in (None, 0):
            raise ValueError(
                f"--num-processes {num_processes} / --process-id {process_id} need --coordinator HOST:PORT "
                "(or JAX_COORDINATOR_ADDRESS), the address of process 0"
            )
        return False
    if num_processes is None or process_id is None:
        raise ValueError(f"--coordinator {coordinator} needs --num-processes N and --process-id I (or JAX_NUM_PROCESSES, JAX_PROCESS_ID)")
    if not 0 <= process_id < num_processes:
        raise ValueError(f"--process-id {process_id} must be between 0 and --num-processes - 1 = {num_processes - 1}")
    jax.distributed.initialize(coordinator_address=coordinator, num_processes=num_processes, process_id=process_id)
    return True
