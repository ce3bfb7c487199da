# test/progs/nested.c in Python, for memory_profiler: a profiled function
# that calls another, which makes 50 MB.
@profile
def inner():
    a = bytearray(50 * 10**6)
    return a

@profile
def outer():
    x = 1
    b = inner()
    del b
    return x

if __name__ == '__main__':
    outer()
