# Checks a JSON report of memprof (MEMPROF_FORMAT=json) against what the
# test knows of its run; prints "ok", or what differs and exits 1.
#
#   json_report.py REPORT VERSION PID BACKEND PRECISION T0 T1 PEAK_LO PEAK_HI
#                  -- CMD [ARG...]
import datetime
import json
import sys

(report, version, pid, backend, precision, t0, t1, lo, hi) = sys.argv[1:10]
assert sys.argv[10] == '--'
cmdline = sys.argv[11:]
with open(report, encoding='utf-8') as f:
    doc = json.load(f)


def check(what, got, want):
    if got != want:
        print('%s: %r, wanted %r' % (what, got, want))
        sys.exit(1)


check('members', list(doc)[:3], ['memprof', 'run', 'tables'])
check('memprof', doc['memprof'], {'version': version, 'format': 1})
run = doc['run']
check('run members', sorted(run),
      sorted(['cmdline', 'pid', 'backend', 'precision', 'unit', 'start',
              'start_unix', 'max_mem_mib']))
check('cmdline', run['cmdline'], cmdline)
check('pid', run['pid'], int(pid))
check('backend', run['backend'], backend)
check('precision', run['precision'], int(precision))
check('unit', run['unit'], 'MiB')
start = datetime.datetime.strptime(run['start'], '%Y-%m-%dT%H:%M:%S.%fZ')
start = start.replace(tzinfo=datetime.timezone.utc).timestamp()
check('start = start_unix', abs(start - run['start_unix']) < 1e-5, True)
check('start within the run (%s..%s)' % (t0, t1),
      float(t0) <= run['start_unix'] <= float(t1), True)
rows = [r for t in doc['tables'] for r in t['rows']]
check('max_mem_mib = the largest mem_mib', run['max_mem_mib'],
      max(r['mem_mib'] for r in rows))
check('max_mem_mib %s in %s..%s' % (run['max_mem_mib'], lo, hi),
      float(lo) <= run['max_mem_mib'] <= float(hi), True)
for t in doc['tables']:
    entries = [r['line'] for r in t['rows'] if r['entry']]
    want = [r['line'] for r in t['rows']
            if 'MP_PROFILE_FUNC' in r['contents']]
    check('entry rows of %s' % t['function'], entries, want)
    if t['function'] is not None:
        check('one entry row in %s' % t['function'], len(entries), 1)
print('ok')
