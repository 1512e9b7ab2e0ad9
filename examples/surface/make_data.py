#!/usr/bin/env python3
"""Make the data of the Pd/Ag (111) surface example of cewb.

Writes, next to this script:
  slab.xyz        the slab lattice: 5 (111) layers A B C A B, one site per
                  layer, pbc T T F, a = 4.09 Å (nearest neighbours 2.892 Å)
  bulk.xyz        the fcc bulk lattice in the same Cartesian frame: cell
                  a1, a2 (in the surface plane) and a3 = the step to the
                  next layer, one site
  structures.xyz  training structures: in-plane supercells of the slab with
                  random Ag/Pd occupations and target `energy` (eV/atom)

The energies come from a model, not from DFT.  With s = +1 for Ag and -1
for Pd (Ag has the higher atomic number):

  E = sum_NN V1(pair) s_i s_j + sum_2NN V2 s_i s_j
      + sum_NN-triangles V3 s_i s_j s_k + sum_i h(layer_i) s_i

  V1 = 0.012 eV between atoms below the surface (the bulk value),
       0.020 eV inside a surface layer, 0.016 eV from a surface layer to
       the layer under it;
  V2 = -0.003 eV; V3 = 0.0015 eV (bulk-like everywhere);
  h  = 0.004 eV below the surface, -0.030 eV in the surface layers (Ag
       prefers the surface);

and the target is E per atom plus Gaussian noise of 1 meV/atom.  Deep layers
interact exactly as the bulk does, the two outer layers differently: the
situation `prior couple-bulk` is made for.  Deterministic (seeded).
"""
import math
import os
import random

A0 = 4.09
AH = A0 / math.sqrt(2.0)          # in-plane nearest-neighbour distance
D = A0 / math.sqrt(3.0)           # (111) layer spacing
N_LAYERS = 5
VACUUM = 20.0
A1 = (AH, 0.0, 0.0)
A2 = (AH / 2, AH * math.sqrt(3.0) / 2, 0.0)
A3 = ((A1[0] + A2[0]) / 3, (A1[1] + A2[1]) / 3, D)

V1_BULK, V1_SURF, V1_SUB = 0.012, 0.020, 0.016
V2 = -0.003
V3 = 0.0015
H_BULK, H_SURF = 0.004, -0.030
NOISE = 0.001
N_STRUCTURES = int(os.environ.get("N_STRUCTURES", "60"))

HERE = os.path.dirname(os.path.abspath(__file__))


def add(u, v, f=1.0):
    return tuple(a + f * b for a, b in zip(u, v))


def layer_site(layer):
    """Position of the site of a layer in the primitive slab (wrapped in-plane)."""
    k = layer % 3
    p = (k / 3 * (A1[0] + A2[0]), k / 3 * (A1[1] + A2[1]), layer * D)
    return p


def write_frame(f, cell, pbc, symbols, positions, info=""):
    f.write("%d\n" % len(symbols))
    lat = " ".join("%.10f" % x for v in cell for x in v)
    f.write('Lattice="%s" Properties=species:S:1:pos:R:3 pbc="%s"%s\n'
            % (lat, " ".join("T" if p else "F" for p in pbc), info))
    for s, p in zip(symbols, positions):
        f.write("%-2s %16.10f %16.10f %16.10f\n" % (s, p[0], p[1], p[2]))


def supercell(n1, k, n2):
    """Slab supercell of in-plane matrix [[n1, 0], [k, n2]]: cell, positions, layers."""
    b1 = tuple(n1 * x for x in A1)
    b2 = add(tuple(k * x for x in A1), tuple(n2 * x for x in A2))
    cell = (b1, b2, (0.0, 0.0, (N_LAYERS - 1) * D + VACUUM))
    pos, layers = [], []
    # in-plane lattice points inside the supercell: i a1 + j a2, i in 0..n1*n2
    for layer in range(N_LAYERS):
        base = layer_site(layer)
        for j in range(n2):
            for i in range(n1):
                pos.append(add(add(base, A1, i), A2, j))
                layers.append(layer)
    # a skewed cell (k != 0) still holds the n1*n2 points i a1 + j a2 up to
    # lattice vectors of the supercell, which periodicity makes equivalent
    return cell, pos, layers


def images(cell):
    return [add(tuple(a * x for x in cell[0]), tuple(b * x for x in cell[1]))
            for a in range(-3, 4) for b in range(-3, 4)]


def dist(p, q):
    return math.sqrt(sum((a - b) ** 2 for a, b in zip(p, q)))


def is_surface(layer):
    return layer in (0, N_LAYERS - 1)


def energy(cell, pos, layers, spins):
    n = len(pos)
    imgs = images(cell)
    nn = [[] for _ in range(n)]        # (j, position of the image)
    e = 0.0
    for i in range(n):
        for j in range(n):
            for t in imgs:
                q = add(pos[j], t)
                d = dist(pos[i], q)
                if d < 1e-6:
                    continue
                if abs(d - AH) < 1e-3:
                    li, lj = layers[i], layers[j]
                    if is_surface(li) and is_surface(lj):
                        v = V1_SURF
                    elif is_surface(li) or is_surface(lj):
                        v = V1_SUB
                    else:
                        v = V1_BULK
                    e += 0.5 * v * spins[i] * spins[j]
                    nn[i].append((j, q))
                elif abs(d - A0) < 1e-3:
                    e += 0.5 * V2 * spins[i] * spins[j]
    # nearest-neighbour triangles, each seen 6 times (3 corners x 2 orders)
    for i in range(n):
        for (j, qj) in nn[i]:
            for (k, qk) in nn[i]:
                if abs(dist(qj, qk) - AH) < 1e-3:
                    e += V3 * spins[i] * spins[j] * spins[k] / 6.0
    for i in range(n):
        e += (H_SURF if is_surface(layers[i]) else H_BULK) * spins[i]
    return e / n


def main():
    rng = random.Random(20261125)
    with open(os.path.join(HERE, "slab.xyz"), "w") as f:
        cell, pos, layers = supercell(1, 0, 1)
        write_frame(f, cell, (1, 1, 0), ["Ag"] * len(pos), pos)
    with open(os.path.join(HERE, "bulk.xyz"), "w") as f:
        write_frame(f, (A1, A2, A3), (1, 1, 1), ["Ag"], [(0.0, 0.0, 0.0)])
    shapes = [(1, 0, 1), (2, 0, 1), (1, 0, 2), (2, 1, 1), (3, 0, 1), (2, 0, 2),
              (2, 1, 2), (3, 1, 1), (3, 0, 2), (4, 0, 1)]
    with open(os.path.join(HERE, "structures.xyz"), "w") as f:
        for m in range(N_STRUCTURES):
            n1, k, n2 = shapes[m % len(shapes)] if m < len(shapes) else rng.choice(shapes)
            cell, pos, layers = supercell(n1, k, n2)
            x_bulk = rng.random()
            # some structures with a surface composition of their own
            x_surf = rng.random() if rng.random() < 0.5 else x_bulk
            spins = [1 if rng.random() < (x_surf if is_surface(l) else x_bulk) else -1
                     for l in layers]
            e = energy(cell, pos, layers, spins) + rng.gauss(0.0, NOISE)
            symbols = ["Ag" if s > 0 else "Pd" for s in spins]
            write_frame(f, cell, (1, 1, 0), symbols, pos, " energy=%.8f" % e)


if __name__ == "__main__":
    main()
