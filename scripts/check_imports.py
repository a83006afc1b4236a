#!/usr/bin/env python3
"""No file-level import circle in veil's crates: files (modules) that refer to
each other in a loop (`use crate::a` in b.rs and `use crate::b` in a.rs) mean
neither can be read, tested or moved alone. CI runs this over every crate;
`python3 scripts/check_imports.py` prints each circle and exits 1 if any.

A module's references are every `crate::…` and `super::…` path in its file
(`use` or inline, tests included), resolved to the deepest module file that
exists; a module referring to its own children is not an edge.
"""
import os, re, sys
def modules(src):
    mods = {}
    for root, _, files in os.walk(src):
        for f in files:
            if not f.endswith('.rs'): continue
            p = os.path.join(root, f); rel = os.path.relpath(p, src)[:-3].split(os.sep)
            if rel[-1] == 'mod': rel = rel[:-1]
            if rel in (['lib'], ['main']): rel = []
            if rel and rel[0] == 'bin': continue
            mods[tuple(rel)] = p
    return mods
def refs(path, me, mods):
    text = open(path).read()
    text = re.sub(r'//.*', '', text)
    out = set()
    for m in re.finditer(r'\b(crate|super)((?:::\w+)+)', text):
        head, tail = m.group(1), m.group(2).split('::')[1:]
        base = [] if head == 'crate' else list(me[:-1] if not path.endswith('mod.rs') else me[:-1])
        if head == 'super':
            # super from a file module `a/b.rs` = module a
            base = list(me[:-1])
            while tail and tail[0] == 'super': tail = tail[1:]; base = base[:-1]
        full = base + tail
        best = None
        for i in range(len(full), -1, -1):
            if tuple(full[:i]) in mods: best = tuple(full[:i]); break
        if best is not None and best != () and best[:len(me)] != me:
            out.add(best)
    # `use crate::{a, b::c}` groups
    for m in re.finditer(r'use crate::\{([^;]*)\};', text, re.S):
        for part in re.findall(r'(?:^|[,{])\s*(\w+)', m.group(1)):
            if (part,) in mods and (part,)[:len(me)] != me: out.add((part,))
    return out
def sccs(g):
    idx, low, st, on, res, c = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)
    def s(v):
        idx[v]=low[v]=c[0]; c[0]+=1; st.append(v); on.add(v)
        for w in g.get(v, ()):
            if w not in idx: s(w); low[v]=min(low[v],low[w])
            elif w in on: low[v]=min(low[v],idx[w])
        if low[v]==idx[v]:
            comp=[]
            while True:
                w=st.pop(); on.discard(w); comp.append(w)
                if w==v: break
            if len(comp)>1: res.append(comp)
    for v in g:
        if v not in idx: s(v)
    return res

def crates(root):
    """Every crate's src/ directory in the workspace (and the fuzz crate)."""
    for dirpath, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in ("target", "node_modules", ".git")]
        if "Cargo.toml" in files and os.path.isdir(os.path.join(dirpath, "src")):
            yield os.path.join(dirpath, "src")


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    found = 0
    for src in sorted(crates(root)):
        mods = modules(src)
        graph = {m: refs(p, m, mods) for m, p in mods.items()}
        for comp in sccs(graph):
            found += 1
            print(f"{os.path.relpath(src, root)}: import circle between "
                  + ", ".join(sorted("::".join(c) + ".rs" for c in comp)))
    if found:
        sys.exit(1)
    print("check_imports: no import circle")


if __name__ == "__main__":
    main()
