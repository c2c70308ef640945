"""Frames per second of the fast SJI movie path vs a naive imshow-per-frame loop (off-screen Agg).

Runs the fast player, a naive loop and a textbook blitted RGBA imshow on the
same synthetic 1000x1000 SJI cube, interleaved,
several repeats, and prints medians and the ratio. ``--quick`` uses 300x300.
"""

from __future__ import annotations

import argparse
import statistics
import time

import matplotlib

matplotlib.use("Agg")


def naive_fps(cube, n_frames: int, limits) -> float:
    """What users write first: a new imshow and a full canvas draw per frame."""
    import matplotlib.pyplot as plt
    import numpy as np

    ny, nx = cube.data.shape[1:]
    fig = plt.figure(figsize=(nx / 100, ny / 100), dpi=100)
    ax = fig.add_axes([0, 0, 1, 1])
    t0 = time.perf_counter()
    for i in range(n_frames):
        ax.clear()
        ax.imshow(np.asarray(cube.data[i % cube.data.shape[0]]), origin="lower", cmap="irissji1400",
                  vmin=limits[0], vmax=limits[1])
        fig.canvas.draw()
    fps = n_frames / (time.perf_counter() - t0)
    plt.close(fig)
    return fps


def blit_imshow_fps(player, n_frames: int) -> float:
    """Textbook blitting: set_data on an RGBA imshow, draw_artist, blit (matplotlib resamples each frame)."""
    import matplotlib.pyplot as plt

    ny, nx = player.frames.shape[1:]
    fig = plt.figure(figsize=(nx / 100, ny / 100), dpi=100)
    ax = fig.add_axes([0, 0, 1, 1])
    im = ax.imshow(player.rgba(0), origin="lower", interpolation="nearest", animated=True)
    fig.canvas.draw()
    bg = fig.canvas.copy_from_bbox(fig.bbox)
    t0 = time.perf_counter()
    for i in range(n_frames):
        fig.canvas.restore_region(bg)
        im.set_data(player.rgba(i % player.frames.shape[0]))
        ax.draw_artist(im)
        fig.canvas.blit(fig.bbox)
    fps = n_frames / (time.perf_counter() - t0)
    plt.close(fig)
    return fps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="300x300 frames, fewer repeats")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    from irisplug_iris import synthetic_sji
    from irisplug_view.fastmovie import SJIPlayer

    size, n_frames, repeats = (300, 30, 3) if args.quick else (1000, 60, args.repeats)
    cube = synthetic_sji(n_frames, size, size)
    player = SJIPlayer(cube, quiet=True)
    t0 = time.perf_counter()
    player.prepare()
    prep = time.perf_counter() - t0
    ours, peer, blit = [], [], []
    for _ in range(repeats):
        ours.append(player.play())
        peer.append(naive_fps(cube, max(n_frames // 4, 5), player.limits))
        blit.append(blit_imshow_fps(player, max(n_frames // 4, 5)))
    player.close()
    mo, mp = statistics.median(ours), statistics.median(peer)
    print(f"frame size {size}x{size}, {n_frames} frames, {repeats} interleaved repeats, backend Agg (off-screen)")
    print(f"prepare (uint8 LUT indices, once): {prep:.2f} s = {1e3 * prep / n_frames:.1f} ms/frame")
    print(f"fast blitted LUT player: median {mo:.1f} frames/s  (runs: {', '.join(f'{v:.1f}' for v in ours)})")
    print(f"naive imshow per frame : median {mp:.1f} frames/s  (runs: {', '.join(f'{v:.1f}' for v in peer)})")
    mb = statistics.median(blit)
    print(f"blitted RGBA imshow    : median {mb:.1f} frames/s  (runs: {', '.join(f'{v:.1f}' for v in blit)})")
    print(f"ratio fast/naive: {mo / mp:.1f}x   fast/blitted-imshow: {mo / mb:.1f}x")


if __name__ == "__main__":
    main()
