# examples/shrink.c in Python, for memory_profiler: blocks of 200, 160,
# 120, 80 and 40 MB made and freed in a loop.
@profile
def shrink():
    for i in range(5, 0, -1):
        tmp = bytearray(i * 40 * 10**6)
        del tmp

if __name__ == '__main__':
    shrink()
