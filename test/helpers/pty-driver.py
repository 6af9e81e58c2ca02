# Runs a command in a pseudo-terminal and plays a script of steps against it, expect-style.
# argv[1]: JSON list of steps, each {"send": text} or {"expect": regex}; argv[2:]: the command.
# Prints JSON {"output", "code", "error"} once the command exits (or a step times out).
import fcntl, json, os, pty, re, select, signal, struct, sys, termios, time

steps = json.loads(sys.argv[1])
command = sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 40, 200, 0, 0))
output = b''
error = None

def read(timeout):
    global output
    ready, _, _ = select.select([fd], [], [], timeout)
    if not ready:
        return True
    try:
        data = os.read(fd, 65536)
    except OSError:
        return False
    if not data:
        return False
    output += data
    return True

mark = 0
for step in steps:
    if 'send' in step:
        time.sleep(0.05)
        os.write(fd, step['send'].encode())
        continue
    pattern = re.compile(step['expect'].encode())
    deadline = time.time() + step.get('timeout', 20)
    while True:
        match = pattern.search(output, mark)
        if match:
            mark = match.end()
            break
        if time.time() > deadline or not read(0.2):
            match = pattern.search(output, mark)
            if match:
                mark = match.end()
                break
            error = 'timed out waiting for %r' % step['expect']
            break
    if error:
        break

code = None
if error:
    os.kill(pid, signal.SIGKILL)
deadline = time.time() + 20
while time.time() < deadline and read(0.2):
    pass
_, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
print(json.dumps({'output': output.decode('utf-8', 'replace'), 'code': code, 'error': error}))
