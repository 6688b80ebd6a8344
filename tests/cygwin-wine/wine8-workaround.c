/*
 * wine8-workaround.c: test-only help for Cygwin 3.6 programs under Wine
 * 8.0 (Debian 12's wine64).  It is linked only into the test copies that
 * tests/cygwin-wine/test-root.sh makes; build/cygwin-root, what a
 * Cygwin user runs, never contains it.  On Windows, and on a Wine without
 * these defects, it changes nothing that a program could observe.
 *
 * Defect 1, Wine 8's x86_64 ntdll: Cygwin moves every thread onto a stack
 * it allocates and frees the original Windows stack, but Wine 8 keeps a
 * frame of its own in TEB->ExceptionList on the freed stack and walks it
 * in RtlRestoreContext and in exception dispatch.  That faults and the
 * fault is dispatched forever (WINEDEBUG=+seh: "RtlRestoreContext removing
 * TEB frame", then access violations inside ntdll): setcontext hangs, a
 * pthread dies silently.  Measured on this project's build machine before
 * any of this code existed (docs/cygwin.rst).  Fix: set TEB->ExceptionList
 * to the empty
 * list, (void *)-1, for the main thread before main (a constructor) and at
 * the start of every thread made by pthread_create, from the program or
 * from any Cygwin DLL: their imports of pthread_create are redirected to
 * qp_pthread_create below.
 *
 * Defect 1 again, after a signal: Wine 8 pushes a frame of its own onto
 * TEB->ExceptionList while it dispatches an exception, and pops it only
 * when the handler returns.  Cygwin turns an access violation into
 * SIGSEGV, and a handler that leaves with siglongjmp() never returns, so
 * the frame stays; the thread's next exception then ends the process
 * without reaching Cygwin (Cygwin's strace: a second "exception
 * c0000005" and "exited with status 0xc0000005", exit status 5).
 * Measured with a 20-line program that faults three times, catching each
 * fault with sigsetjmp()/siglongjmp(): the list holds 0x7ffffbdd0 after
 * the first fault and the second one kills it; with the list emptied
 * before each fault all three are caught.  test-mmap-alloc's guard page
 * checks do this.  Fix: every module's imports of longjmp (Cygwin's
 * siglongjmp is a macro for it) and siglongjmp from cygwin1.dll go
 * through qp_longjmp below, which empties the list first.  Outside
 * exception dispatch the list is empty anyway, so jumps that do not
 * leave a signal handler are unaffected.
 *
 * Defect 2, Wine 8's wineserver (server/named_pipe.c): a handle to
 * "\Device\NamedPipe\" opened with NtOpenFile is a device file without
 * name lookup, so NtCreateNamedPipeFile and NtOpenFile relative to it
 * (RootDirectory) fail with STATUS_OBJECT_NAME_INVALID, 0xC0000033.
 * Cygwin 3.6 creates every pipe(2) that way (winsup/cygwin/fhandler/
 * pipe.cc, nt_create) and retries such a failure forever, so the first
 * pipe (GLib makes one per main context) hangs the program (Cygwin's
 * strace: endless "NtCreateNamedPipeFile failed: 0xC0000033").  Wine 10
 * gives that handle a directory object with name lookup (named_pipe_dir).
 * Fix: cygwin1.dll's imports of NtCreateNamedPipeFile and NtOpenFile are
 * redirected to wrappers that turn a name relative to such a handle into
 * the absolute "\Device\NamedPipe\NAME".
 *
 * Everything is set up once, by qp_wine8_workaround() before main; a step
 * that cannot be done is reported on stderr, and the program runs on.
 */

#include <windows.h>
#include <winternl.h>
#include <psapi.h>
#include <pthread.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

/* --- defect 1: the exception list of Cygwin-made stacks ------------------ */

static void qp_reset_exception_list(void)
{
    NT_TIB *tib;

    /* gs:0x30 is NT_TIB.Self on x86_64 Windows. */
    __asm__ volatile("movq %%gs:0x30, %0" : "=r"(tib));
    tib->ExceptionList = (struct _EXCEPTION_REGISTRATION_RECORD *)-1;
}

typedef int (*pthread_create_fn)(pthread_t *, const pthread_attr_t *,
                                 void *(*)(void *), void *);
static pthread_create_fn real_pthread_create;

struct qp_thread_start {
    void *(*fn)(void *);
    void *arg;
};

static void *qp_thread_trampoline(void *opaque)
{
    struct qp_thread_start start = *(struct qp_thread_start *)opaque;

    free(opaque);
    qp_reset_exception_list();
    return start.fn(start.arg);
}

static int qp_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                             void *(*fn)(void *), void *arg)
{
    struct qp_thread_start *start = malloc(sizeof(*start));
    int ret;

    if (!start) {
        return EAGAIN;
    }
    start->fn = fn;
    start->arg = arg;
    ret = real_pthread_create(thread, attr, qp_thread_trampoline, start);
    if (ret) {
        free(start);
    }
    return ret;
}

typedef void (*longjmp_fn)(void *env, int val);
static longjmp_fn real_longjmp, real_siglongjmp;

static void qp_longjmp(void *env, int val)
{
    qp_reset_exception_list();
    real_longjmp(env, val);
    abort(); /* longjmp does not return */
}

static void qp_siglongjmp(void *env, int val)
{
    qp_reset_exception_list();
    real_siglongjmp(env, val);
    abort();
}

/* --- defect 2: pipes relative to \Device\NamedPipe\ ------------------------ */

typedef NTSTATUS (NTAPI *nt_create_named_pipe_file_fn)(
    PHANDLE, ULONG, POBJECT_ATTRIBUTES, PIO_STATUS_BLOCK, ULONG, ULONG,
    ULONG, ULONG, ULONG, ULONG, ULONG, ULONG, ULONG, PLARGE_INTEGER);
typedef NTSTATUS (NTAPI *nt_open_file_fn)(
    PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES, PIO_STATUS_BLOCK, ULONG, ULONG);
typedef NTSTATUS (NTAPI *nt_query_object_fn)(
    HANDLE, OBJECT_INFORMATION_CLASS, PVOID, ULONG, PULONG);

static nt_create_named_pipe_file_fn real_nt_create_named_pipe_file;
static nt_open_file_fn real_nt_open_file;
static nt_query_object_fn nt_query_object;

/*
 * The last handle seen to name the pipe directory (Cygwin keeps one).  Only
 * a hint: a closed handle's value can come back for another object, so
 * qp_is_npfs_dir() checks the name every time.
 */
static volatile HANDLE npfs_dir;

static BOOL qp_is_npfs_dir(HANDLE handle)
{
    static const WCHAR npfs[] = L"\\Device\\NamedPipe";
    const USHORT npfs_bytes = sizeof(npfs) - sizeof(WCHAR);
    union {
        OBJECT_NAME_INFORMATION info;
        BYTE bytes[sizeof(OBJECT_NAME_INFORMATION) + 512];
    } u;
    ULONG len;
    USHORT bytes;

    if (!handle) {
        return FALSE;
    }
    if (!nt_query_object ||
        nt_query_object(handle, ObjectNameInformation, &u, sizeof(u), &len)
        < 0) {
        return FALSE;
    }
    bytes = u.info.Name.Length;
    if (bytes == npfs_bytes + sizeof(WCHAR) &&
        u.info.Name.Buffer[bytes / sizeof(WCHAR) - 1] == L'\\') {
        bytes -= sizeof(WCHAR);
    }
    if (bytes != npfs_bytes ||
        wcsncasecmp(u.info.Name.Buffer, npfs, npfs_bytes / sizeof(WCHAR))) {
        return FALSE;
    }
    npfs_dir = handle;
    return TRUE;
}

/*
 * If @attr names a pipe relative to the pipe directory, fill @abs_attr
 * and @abs_name (backed by @buf, @buf_chars WCHARs) with the absolute
 * name and return them; else return @attr unchanged.
 */
static POBJECT_ATTRIBUTES qp_absolute_pipe_name(POBJECT_ATTRIBUTES attr,
                                                OBJECT_ATTRIBUTES *abs_attr,
                                                UNICODE_STRING *abs_name,
                                                WCHAR *buf, size_t buf_chars)
{
    static const WCHAR prefix[] = L"\\Device\\NamedPipe\\";
    const size_t prefix_chars = sizeof(prefix) / sizeof(WCHAR) - 1;
    size_t name_chars;

    if (!attr || !attr->ObjectName || !qp_is_npfs_dir(attr->RootDirectory)) {
        return attr;
    }
    name_chars = attr->ObjectName->Length / sizeof(WCHAR);
    if (prefix_chars + name_chars > buf_chars) {
        return attr;
    }
    memcpy(buf, prefix, prefix_chars * sizeof(WCHAR));
    memcpy(buf + prefix_chars, attr->ObjectName->Buffer,
           name_chars * sizeof(WCHAR));
    abs_name->Buffer = buf;
    abs_name->Length = abs_name->MaximumLength =
        (USHORT)((prefix_chars + name_chars) * sizeof(WCHAR));
    *abs_attr = *attr;
    abs_attr->RootDirectory = NULL;
    abs_attr->ObjectName = abs_name;
    return abs_attr;
}

static NTSTATUS NTAPI qp_nt_create_named_pipe_file(
    PHANDLE handle, ULONG access, POBJECT_ATTRIBUTES attr,
    PIO_STATUS_BLOCK io, ULONG sharing, ULONG disposition, ULONG options,
    ULONG pipe_type, ULONG read_mode, ULONG completion_mode,
    ULONG max_instances, ULONG inbound_quota, ULONG outbound_quota,
    PLARGE_INTEGER timeout)
{
    OBJECT_ATTRIBUTES abs_attr;
    UNICODE_STRING abs_name;
    WCHAR buf[MAX_PATH + 16];

    attr = qp_absolute_pipe_name(attr, &abs_attr, &abs_name, buf,
                                 sizeof(buf) / sizeof(buf[0]));
    return real_nt_create_named_pipe_file(handle, access, attr, io, sharing,
                                          disposition, options, pipe_type,
                                          read_mode, completion_mode,
                                          max_instances, inbound_quota,
                                          outbound_quota, timeout);
}

static NTSTATUS NTAPI qp_nt_open_file(PHANDLE handle, ACCESS_MASK access,
                                      POBJECT_ATTRIBUTES attr,
                                      PIO_STATUS_BLOCK io, ULONG sharing,
                                      ULONG options)
{
    OBJECT_ATTRIBUTES abs_attr;
    UNICODE_STRING abs_name;
    WCHAR buf[MAX_PATH + 16];

    /*
     * Only the handle last seen as the pipe directory is checked by name:
     * Cygwin opens pipes relative to the handle it creates them with.
     */
    if (attr && attr->RootDirectory && attr->RootDirectory == npfs_dir) {
        attr = qp_absolute_pipe_name(attr, &abs_attr, &abs_name, buf,
                                     sizeof(buf) / sizeof(buf[0]));
    }
    return real_nt_open_file(handle, access, attr, io, sharing, options);
}

/* --- redirecting imports ---------------------------------------------------- */

/*
 * Point every import of @name from @dll in @module's import table at
 * @replacement; the first original address goes to *@original.  Returns
 * how many imports were redirected, or -1 if a table could not be
 * written.
 */
static int qp_redirect_import(HMODULE module, const char *dll,
                              const char *name, void *replacement,
                              void **original)
{
    BYTE *base = (BYTE *)module;
    IMAGE_NT_HEADERS *nt =
        (IMAGE_NT_HEADERS *)(base + ((IMAGE_DOS_HEADER *)base)->e_lfanew);
    IMAGE_DATA_DIRECTORY *dir =
        &nt->OptionalHeader.DataDirectory[IMAGE_DIRECTORY_ENTRY_IMPORT];
    IMAGE_IMPORT_DESCRIPTOR *imp;
    int count = 0;

    if (!dir->VirtualAddress) {
        return 0;
    }
    for (imp = (IMAGE_IMPORT_DESCRIPTOR *)(base + dir->VirtualAddress);
         imp->Name; imp++) {
        IMAGE_THUNK_DATA *names, *slots;

        if (strcasecmp((const char *)(base + imp->Name), dll) ||
            !imp->OriginalFirstThunk) {
            continue;
        }
        names = (IMAGE_THUNK_DATA *)(base + imp->OriginalFirstThunk);
        slots = (IMAGE_THUNK_DATA *)(base + imp->FirstThunk);
        for (; names->u1.AddressOfData; names++, slots++) {
            IMAGE_IMPORT_BY_NAME *by_name;
            DWORD protect;

            if (IMAGE_SNAP_BY_ORDINAL(names->u1.Ordinal)) {
                continue;
            }
            by_name = (IMAGE_IMPORT_BY_NAME *)(base + names->u1.AddressOfData);
            if (strcmp((const char *)by_name->Name, name)) {
                continue;
            }
            if (!VirtualProtect(&slots->u1.Function, sizeof(void *),
                                PAGE_READWRITE, &protect)) {
                return -1;
            }
            if (original && !*original) {
                *original = (void *)slots->u1.Function;
            }
            slots->u1.Function = (ULONG_PTR)replacement;
            VirtualProtect(&slots->u1.Function, sizeof(void *), protect,
                           &protect);
            count++;
        }
    }
    return count;
}

static void qp_warn(const char *what)
{
    fprintf(stderr, "wine8-workaround: cannot %s\n", what);
}

__attribute__((constructor))
static void qp_wine8_workaround(void)
{
    HMODULE modules[256];
    HMODULE cygwin = GetModuleHandleA("cygwin1.dll");
    HMODULE ntdll = GetModuleHandleA("ntdll.dll");
    DWORD bytes;
    unsigned i;

    qp_reset_exception_list();

    if (!cygwin || !ntdll) {
        qp_warn("find cygwin1.dll and ntdll.dll");
        return;
    }
    nt_query_object = (nt_query_object_fn)(void *)GetProcAddress(ntdll,
                                                         "NtQueryObject");
    if (qp_redirect_import(cygwin, "ntdll.dll", "NtCreateNamedPipeFile",
                           (void *)qp_nt_create_named_pipe_file,
                           (void **)&real_nt_create_named_pipe_file) <= 0 ||
        qp_redirect_import(cygwin, "ntdll.dll", "NtOpenFile",
                           (void *)qp_nt_open_file,
                           (void **)&real_nt_open_file) <= 0) {
        qp_warn("redirect cygwin1.dll's pipe calls");
    }

    /* From the DLL itself: the program's own pthread_create goes through
     * its import table, which is redirected below. */
    real_pthread_create = (pthread_create_fn)(void *)GetProcAddress(cygwin,
                                                            "pthread_create");
    if (!real_pthread_create) {
        qp_warn("find pthread_create in cygwin1.dll");
        return;
    }
    if (!EnumProcessModules(GetCurrentProcess(), modules, sizeof(modules),
                            &bytes)) {
        qp_warn("list the modules");
        return;
    }
    real_longjmp = (longjmp_fn)(void *)GetProcAddress(cygwin, "longjmp");
    real_siglongjmp = (longjmp_fn)(void *)GetProcAddress(cygwin,
                                                         "siglongjmp");
    if (!real_longjmp || !real_siglongjmp) {
        qp_warn("find longjmp and siglongjmp in cygwin1.dll");
    }
    for (i = 0; i < bytes / sizeof(modules[0]) && i < 256; i++) {
        if (modules[i] == cygwin) {
            continue;
        }
        if (qp_redirect_import(modules[i], "cygwin1.dll", "pthread_create",
                               (void *)qp_pthread_create, NULL) < 0) {
            qp_warn("redirect pthread_create");
        }
        if (!real_longjmp || !real_siglongjmp) {
            continue;
        }
        if (qp_redirect_import(modules[i], "cygwin1.dll", "longjmp",
                               (void *)qp_longjmp, NULL) < 0 ||
            qp_redirect_import(modules[i], "cygwin1.dll", "siglongjmp",
                               (void *)qp_siglongjmp, NULL) < 0) {
            qp_warn("redirect longjmp");
        }
    }
}
