"""mp_loop.py - the Python peer of bench_line's MP_LINE loop.

    python3 mp_loop.py N                      the loop, unprofiled
    python3 -m memory_profiler mp_loop.py N   the loop under memory_profiler
    python3 mp_loop.py N --count              print the executed lines

loop() is a profiled function whose body is a loop of N simple statements,
the shape of bench_line's loop of MP_LINE(x++).  memory_profiler takes one
memory reading for every 'line' and every 'return' event of a profiled
function, so --count counts exactly those events with a tracer of its own:
that is the number of lines bench_line divides the profiler's time by.
"""
import sys

try:
    profile
except NameError:
    def profile(func):
        return func


@profile
def loop(n):
    x = 0
    for _ in range(n):
        x += 1
    return x


def count_lines(n):
    """Run loop(n) under a tracer and return its 'line' and 'return' events."""
    events = 0

    def tracer(frame, event, arg):
        nonlocal events
        if frame.f_code is loop.__code__ and event in ('line', 'return'):
            events += 1
        return tracer

    sys.settrace(tracer)
    try:
        loop(n)
    finally:
        sys.settrace(None)
    return events


def main():
    n = int(sys.argv[1])
    if sys.argv[2:] == ['--count']:
        print(count_lines(n))
    else:
        loop(n)


main()
