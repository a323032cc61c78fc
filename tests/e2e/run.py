#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
Runs the end-to-end tests: every test_* function of every tests/e2e/test_*.py,
in file order, each with a fresh temp dir and its own circd.

    python3 tests/e2e/run.py [SUBSTRING]

Environment: CIRCD, CIRCCTL (default build/circd, build/circctl), CIRCD_SAN=1
(also fail on sanitizer reports; longer timeouts), E2E_KEEP=1 (keep temp dirs),
E2E_VERBOSE=1 (notes and timings of passing tests), E2E_SEED (the kill test's seed).
Prints "ok NAME" / "FAIL NAME" per test (tracebacks and circd logs on stderr)
and a last line "N passed, N failed"; exits 1 if any test failed.
"""

import importlib.util
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402


def load_tests():
    tests = []
    for fname in sorted(os.listdir(HERE)):
        if not (fname.startswith("test_") and fname.endswith(".py")):
            continue
        modname = fname[:-3]
        spec = importlib.util.spec_from_file_location(modname, os.path.join(HERE, fname))
        mod = importlib.util.module_from_spec(spec)
        sys.modules[modname] = mod
        spec.loader.exec_module(mod)
        fns = [v for k, v in vars(mod).items()
               if k.startswith("test_") and callable(v)
               and getattr(v, "__module__", None) == modname]
        fns.sort(key=lambda f: f.__code__.co_firstlineno)
        tests += [("%s.%s" % (modname, f.__name__), f) for f in fns]
    return tests


def main(argv):
    pattern = argv[1] if len(argv) > 1 else ""
    missing = [b for b in (harness.CIRCD, harness.CIRCCTL) if not os.access(b, os.X_OK)]
    if missing:
        print("missing %s (run make first)" % ", ".join(missing), file=sys.stderr)
        print("0 passed, 1 failed", flush=True)
        return 1
    passed = failed = skipped = 0
    for name, fn in load_tests():
        if pattern not in name:
            continue
        t = harness.T(name)
        start = time.monotonic()
        problems = []
        skip_why = None
        try:
            fn(t)
        except harness.Skipped as e:
            skip_why = str(e)
        except BaseException as e:
            if isinstance(e, KeyboardInterrupt):
                t.cleanup()
                raise
            problems.append(traceback.format_exc())
        try:
            problems += t.cleanup()
        except Exception:
            problems.append(traceback.format_exc())
        took = time.monotonic() - start
        if problems:
            failed += 1
            sys.stdout.flush()
            print("FAIL %s" % name, flush=True)
            err = sys.stderr
            err.write("---- %s (%.1fs)\n" % (name, took))
            for p in problems:
                err.write(p.rstrip() + "\n")
            for n in t.notes:
                err.write("note: %s\n" % n)
            for path, text in t.logs():
                lines = text.splitlines()
                err.write("-- %s (last %d of %d lines)\n" % (path, min(40, len(lines)),
                                                             len(lines)))
                for line in lines[-40:]:
                    err.write("   %s\n" % line)
            err.write("-- kept %s\n" % t.dir)
            err.flush()
        elif skip_why is not None:
            skipped += 1
            print("skip %s: %s" % (name, skip_why), flush=True)
            t.remove()
        else:
            passed += 1
            print("ok %s" % name, flush=True)
            if os.environ.get("E2E_VERBOSE"):
                for n in t.notes:
                    sys.stderr.write("  note: %s\n" % n)
                sys.stderr.write("  (%.1fs)\n" % took)
                sys.stderr.flush()
            if not os.environ.get("E2E_KEEP"):
                t.remove()
    if skipped:
        print("%d skipped (neither passed nor failed)" % skipped, flush=True)
    print("%d passed, %d failed" % (passed, failed), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
