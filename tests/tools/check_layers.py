#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Check the include graph of lib/ against its layers.

A module is x.c plus x.h in one folder of lib/; a module depends on
another when it includes that one's header ("x.h" or "folder/x.h").
The folders are the layers, lowest first (LAYERS): a module may include
headers of its own folder and of lower layers only.  Folders on the same
rank are siblings and may not include each other.  A header named
x_priv.h (tcp_priv.h: TCP's insides) is private to its folder: only that
folder's files may include it (the tests, outside lib/, may too).  On top
of that the graph must have no cycle, inside a folder too.

Each module is one check; a failing check prints the offending include
(file:line) or the cycle as a chain of modules.  The last line is
"N passed, N failed" (scripts/test.sh reads it); the exit status is 1
when anything failed.

    tests/tools/check_layers.py [LIBDIR]        default: lib/ of the tree
"""

import os
import re
import sys

# rank of each folder, lowest first; equal ranks are siblings
LAYERS = {
    'core': 0,
    'ctlclient': 1,	# the control client: DPDK-free, on core only
    'net': 1,
    'tcp': 2,
    'http': 3,
    'job': 4,
    'ctl': 5,
    'loop': 5,
}

# a module whose header only its own folder may include
PRIVATE = re.compile(r'_priv$')

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def scan(libdir):
    """modules: name -> folder; edges: name -> [(dep, file, line)]."""
    modules, files = {}, {}
    for folder in sorted(os.listdir(libdir)):
        path = os.path.join(libdir, folder)
        if not os.path.isdir(path):
            continue
        for f in sorted(os.listdir(path)):
            stem, ext = os.path.splitext(f)
            if ext not in ('.c', '.h'):
                continue
            if stem in modules and modules[stem] != folder:
                sys.exit('check_layers: module %s in both %s and %s'
                         % (stem, modules[stem], folder))
            modules[stem] = folder
            files.setdefault(stem, []).append(os.path.relpath(os.path.join(path, f)))
    edges = {m: [] for m in modules}
    for m, paths in files.items():
        for p in paths:
            with open(p, encoding='utf-8', errors='replace') as fh:
                for n, line in enumerate(fh, 1):
                    hit = INCLUDE.match(line)
                    if not hit:
                        continue
                    dep = os.path.splitext(os.path.basename(hit.group(1)))[0]
                    if dep in modules and dep != m:
                        edges[m].append((dep, '%s:%d' % (p, n)))
    return modules, edges


def cycles(modules, edges):
    """Tarjan's strongly connected components with more than one module."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w, _ in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(set(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(modules):
        if v not in index:
            visit(v)
    return out


def chain(start, comp, edges):
    """One cycle through start inside comp: a path back to start (BFS)."""
    prev = {start: None}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w, where in edges[v]:
            if w not in comp:
                continue
            if w == start:
                path = [(w, where)]
                while v is not None:
                    path.append((v, prev[v][1] if prev[v] else None))
                    v = prev[v][0] if prev[v] else None
                path.reverse()
                return path
            if w not in prev:
                prev[w] = (v, where)
                queue.append(w)
    return []


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    libdir = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(here, '..', '..', 'lib')
    modules, edges = scan(libdir)
    unknown = sorted({f for f in modules.values() if f not in LAYERS})
    bad = {}
    for f in unknown:
        bad.setdefault('(folder %s)' % f, []).append(
            'folder lib/%s has no rank in LAYERS' % f)
    for m in sorted(modules):
        fm = modules[m]
        for dep, where in edges[m]:
            fd = modules[dep]
            if fd != fm and PRIVATE.search(dep):
                bad.setdefault(m, []).append(
                    '%s: %s/%s includes %s/%s.h (private to lib/%s)' % (
                        where, fm, m, fd, dep, fd))
                continue
            if fd == fm or fm not in LAYERS or fd not in LAYERS:
                continue
            if LAYERS[fd] >= LAYERS[fm]:
                bad.setdefault(m, []).append(
                    '%s: %s/%s includes %s/%s.h (%s on %s)' % (
                        where, fm, m, fd, dep,
                        'sibling' if LAYERS[fd] == LAYERS[fm] else 'upward',
                        'rank %d' % LAYERS[fd]))
    for comp in cycles(modules, edges):
        start = min(comp)
        path = chain(start, comp, edges)
        text = ' -> '.join('%s/%s' % (modules[v], v) for v, _ in path)
        sites = ', '.join(w for _, w in path[1:] if w)
        msg = 'cycle of %d modules: %s (%s)' % (len(comp), text, sites)
        for m in sorted(comp):
            bad.setdefault(m, []).append(msg if m == start else
                                         'in the cycle through %s' % start)
    for m in sorted(bad):
        for msg in bad[m]:
            print('FAIL %s: %s' % (m, msg))
    failed = len(bad)
    passed = len(modules) - len([m for m in bad if m in modules])
    print('%d modules in %d folders' % (len(modules),
                                        len(set(modules.values()))))
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
