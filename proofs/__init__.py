"""Sympy derivations of the paper's results, one module per result (see the proofs issue)."""
