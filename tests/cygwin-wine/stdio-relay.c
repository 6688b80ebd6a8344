/*
 * stdio-relay.c: test-only Cygwin program; runs PROGRAM with Cygwin pipes
 * as its standard input and output, and copies between those pipes and its
 * own standard input and output.  Standard error is passed on as it is
 * (QEMU writes it in blocking mode).
 *
 * usage: stdio-relay.exe PROGRAM [ARGS...]   (exit status: PROGRAM's, or
 *        128 + signal number; 125 if PROGRAM cannot be started)
 *
 * Why: under Wine 8, a Linux pipe given to a Cygwin program as standard
 * input or output is not a Windows pipe, and Cygwin's non-blocking I/O on
 * it fails with EIO (its FilePipeLocalInformation query and its switch of
 * the pipe to non-blocking mode both fail).  QEMU's stdio chardev makes
 * both descriptors non-blocking, so every character of -serial mon:stdio
 * would be lost.  Between Cygwin programs, and on Windows when a Cygwin
 * shell pipes into QEMU, those descriptors are Cygwin pipes; the relay
 * gives QEMU exactly that, and does only blocking I/O on Wine's side.
 * tests/cygwin-wine/run-exe.sh runs every program under it, at a
 * terminal too (Wine 8's console garbles what it draws; run-exe.sh).
 */

#include <windows.h>
#include <sys/cygwin.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Copy everything from fd @from to fd @to; 0 at end of file, -1 on error. */
static int copy_all(int from, int to)
{
    char buf[4096];

    for (;;) {
        ssize_t n = read(from, buf, sizeof(buf));
        ssize_t done = 0;

        if (n == 0) {
            return 0;
        }
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        while (done < n) {
            ssize_t w = write(to, buf + done, n - done);

            if (w < 0) {
                if (errno == EINTR) {
                    continue;
                }
                return -1;
            }
            done += w;
        }
    }
}

static int child_stdin = -1;

/*
 * Put the Windows process of Cygwin process @pid in a job that Windows
 * (and Wine) kill when the last handle to it closes: the relay's, when
 * the relay ends in any way.  Without it, killing the relay, or Wine's
 * loader that runs it, leaves the program running on its own.  Returns
 * false if that cannot be arranged.
 */
static bool kill_with_relay(pid_t pid)
{
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits = { 0 };
    DWORD winpid = cygwin_internal(CW_CYGWIN_PID_TO_WINPID, pid);
    HANDLE job, process;
    bool ok;

    job = CreateJobObjectA(NULL, NULL);
    if (!job) {
        return false;
    }
    limits.BasicLimitInformation.LimitFlags =
        JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    process = winpid ? OpenProcess(PROCESS_SET_QUOTA | PROCESS_TERMINATE,
                                   FALSE, winpid) : NULL;
    ok = process &&
         SetInformationJobObject(job, JobObjectExtendedLimitInformation,
                                 &limits, sizeof(limits)) &&
         AssignProcessToJobObject(job, process);
    if (process) {
        CloseHandle(process);
    }
    /* The job handle stays open until the relay ends. */
    return ok;
}

static void *relay_input(void *opaque)
{
    (void)opaque;
    copy_all(0, child_stdin);
    close(child_stdin);
    return NULL;
}

int main(int argc, char **argv)
{
    int in[2], out[2];
    posix_spawn_file_actions_t actions;
    pthread_t input_thread;
    pid_t pid;
    int status, err;

    if (argc < 2) {
        fprintf(stderr, "usage: stdio-relay.exe PROGRAM [ARGS...]\n");
        return 125;
    }
    if (pipe(in) < 0 || pipe(out) < 0) {
        perror("stdio-relay: pipe");
        return 125;
    }
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclose(&actions, in[0]);
    posix_spawn_file_actions_addclose(&actions, in[1]);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    posix_spawn_file_actions_addclose(&actions, out[1]);
    err = posix_spawn(&pid, argv[1], &actions, NULL, argv + 1, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (err) {
        fprintf(stderr, "stdio-relay: cannot start %s: %s\n", argv[1],
                strerror(err));
        return 125;
    }
    if (!kill_with_relay(pid)) {
        fprintf(stderr, "stdio-relay: warning: %s will outlive the relay "
                "if the relay is killed\n", argv[1]);
    }
    close(in[0]);
    close(out[1]);
    signal(SIGPIPE, SIG_IGN);

    child_stdin = in[1];
    if (pthread_create(&input_thread, NULL, relay_input, NULL)) {
        fprintf(stderr, "stdio-relay: cannot start the input thread\n");
        close(in[1]);
    } else {
        pthread_detach(input_thread);
    }
    copy_all(out[0], 1);

    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            perror("stdio-relay: waitpid");
            return 125;
        }
    }
    if (WIFSIGNALED(status)) {
        return 128 + WTERMSIG(status);
    }
    return WEXITSTATUS(status);
}
