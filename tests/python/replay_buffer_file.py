"""A replay buffer file as mbrl writes it (replay_buffer.bin, an evaluation's transitions.bin;
src/data/replay_buffer.cc's format), read for the tests."""
import struct

import numpy as np


def read_buffer(path):
    """(obs [N, O], actions [N, A], rewards [N], next_obs [N, O]): float32 NumPy arrays."""
    raw = open(path, "rb").read()
    obs_dim, act_dim = struct.unpack_from("<ii", raw, 8)
    n = struct.unpack_from("<q", raw, 16)[0]
    parts, offset = [], 24
    for width in (obs_dim, act_dim, 1, obs_dim):
        parts.append(np.frombuffer(raw, np.float32, n * width, offset).reshape(n, width).copy())
        offset += 4 * n * width
    return parts[0], parts[1], parts[2][:, 0], parts[3]
