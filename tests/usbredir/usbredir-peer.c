/*
 * usbredir-peer: a usbredir "usb-host" that emulates one USB device, for
 * testing QEMU's -device usb-redir (tests/usbredir/run.sh).
 *
 *   usbredir-peer [-a ADDR] [-t SECONDS] [-m reply|echo|mute] [-v] PORT
 *
 * It listens on ADDR:PORT (default address 127.0.0.1; PORT 0 lets the
 * kernel pick one), prints "LISTENING <port>" on stdout (flushed), accepts
 * ONE connection from QEMU's
 *     -chardev socket,id=ur,host=127.0.0.1,port=PORT -device usb-redir,chardev=ur
 * and plays the usb-host side of the usbredir protocol for one emulated
 * device until QEMU closes the connection.  Every request from QEMU is
 * logged to stderr, one line each, then a "summary:" line at the end.
 *
 * The emulated device: a full-speed (12 Mbit/s) USB 2.0 CDC-ACM serial port,
 * the kind of device Linux's cdc_acm driver turns into /dev/ttyACM0.
 *   idVendor 0x1209, idProduct 0x0001: the pid.codes "Test PID"
 *     (https://pid.codes/1209/0001/: VID 0x1209 PIDs 0x0000-0x0fff are
 *     reserved for testing and generic uses; 0x0001 is for private tests
 *     and never ships in a product), so it cannot be mistaken for a real
 *     device.  bcdDevice 0x0100.
 *   strings: manufacturer "qemu-ports", product "qemu-ports usbredir test
 *     serial", serial number "QP-USBREDIR-0001" (language 0x0409).
 *   one configuration (value 1, bus powered, bMaxPower 50 = 100 mA, in
 *     units of 2 mA), two interfaces:
 *     0: CDC communication, subclass ACM (2), protocol AT V.250 (1), with
 *        the CDC header (bcdCDC 1.10), call management, ACM (line coding and
 *        serial state) and union (master 0, slave 1) functional descriptors
 *        and interrupt IN endpoint 0x83, wMaxPacketSize 16 bytes, bInterval
 *        32 (full speed: milliseconds);
 *     1: CDC data (class 0x0a), bulk IN 0x81 and bulk OUT 0x02,
 *        wMaxPacketSize 64 bytes each.
 *   endpoint 0 (wMaxPacketSize 64 bytes) answers GET_DESCRIPTOR (device,
 *   configuration, string), GET_STATUS, SET/CLEAR_FEATURE, SET/GET
 *   CONFIGURATION and INTERFACE, and the CDC class requests SET_LINE_CODING,
 *   GET_LINE_CODING, SET_CONTROL_LINE_STATE and SEND_BREAK; anything else
 *   STALLs.
 *
 * The transfer: bytes written to bulk OUT 0x02 are cut into lines (at '\n'
 * or '\r').  A line "PING <text>" (text: printable ASCII) is answered on bulk
 * IN 0x81 with "PONG <TEXT>\n", where TEXT is text reversed and uppercased,
 * so the answer cannot come from a tty echo.  Other lines are logged and
 * ignored.  -m echo (send the line back unchanged) and -m mute (never
 * answer) exist to show that the test fails when the device answers wrongly.
 * The interrupt endpoint accepts start/stop of interrupt receiving and never
 * sends a notification.  No isochronous endpoints, no bulk streams, no
 * buffered bulk receiving (those capabilities are not announced).
 *
 * Bad input from the connection (a broken or hostile QEMU): whatever
 * libusbredirparser rejects (unknown packet types, wrong lengths, data in
 * the wrong direction, oversized transfers) ends the program with a message
 * and exit status 1, as do more than 256 outstanding bulk IN requests; a
 * well-formed request the device does not support is answered with a STALL
 * (or "invalid") status and logged.  Lengths taken from the peer are always
 * checked before use; all buffers are bounded.
 *
 * Exit status: 0 when QEMU closed the connection (a completed session),
 * 1 bad input or I/O error on the connection, 2 usage or socket setup
 * error, 3 the -t time limit (seconds, whole run; 0 = none) passed.
 *
 * Sources of the facts used: the usbredir protocol (usb-redirection-
 * protocol.txt of the usbredir project, protocol version 0.7) and Debian's
 * libusbredirparser-dev headers (usbredirparser.h, usbredirproto.h); USB 2.0
 * specification chapter 9 (standard requests and descriptors); USB CDC 1.10
 * and its PSTN subclass (ACM requests, functional descriptors, line coding
 * layout).  The code is written for this repository.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <usbredirfilter.h>
#include <usbredirparser.h>

/* --- the device ----------------------------------------------------------- */

#define VENDOR_ID       0x1209
#define PRODUCT_ID      0x0001
#define DEVICE_BCD      0x0100
#define EP0_MAXP        64
#define EP_NOTIFY       0x83    /* interrupt IN, interface 0 */
#define EP_BULK_IN      0x81    /* bulk IN, interface 1 */
#define EP_BULK_OUT     0x02    /* bulk OUT, interface 1 */
#define NOTIFY_MAXP     16
#define NOTIFY_INTERVAL 32      /* milliseconds (full speed) */
#define BULK_MAXP       64

#define LO(x) ((uint8_t)((x) & 0xff))
#define HI(x) ((uint8_t)(((x) >> 8) & 0xff))

static const uint8_t device_descriptor[18] = {
    18, 1,                      /* bLength, DEVICE */
    0x00, 0x02,                 /* bcdUSB 2.00 */
    0x02, 0x00, 0x00,           /* class CDC (interfaces say the rest) */
    EP0_MAXP,
    LO(VENDOR_ID), HI(VENDOR_ID),
    LO(PRODUCT_ID), HI(PRODUCT_ID),
    LO(DEVICE_BCD), HI(DEVICE_BCD),
    1, 2, 3,                    /* iManufacturer, iProduct, iSerialNumber */
    1,                          /* bNumConfigurations */
};

#define CONFIG_TOTAL 67
static const uint8_t config_descriptor[CONFIG_TOTAL] = {
    /* configuration 1 */
    9, 2, LO(CONFIG_TOTAL), HI(CONFIG_TOTAL),
    2,                          /* bNumInterfaces */
    1,                          /* bConfigurationValue */
    0,                          /* iConfiguration */
    0x80,                       /* bmAttributes: bus powered */
    50,                         /* bMaxPower: 50 * 2 mA */
    /* interface 0: CDC communication, ACM, AT commands */
    9, 4, 0, 0, 1, 0x02, 0x02, 0x01, 0,
    5, 0x24, 0x00, 0x10, 0x01,  /* CDC header, bcdCDC 1.10 */
    5, 0x24, 0x01, 0x00, 1,     /* call management: none, data interface 1 */
    4, 0x24, 0x02, 0x02,        /* ACM: line coding + serial state */
    5, 0x24, 0x06, 0, 1,        /* union: master 0, slave 1 */
    7, 5, EP_NOTIFY, 3, LO(NOTIFY_MAXP), HI(NOTIFY_MAXP), NOTIFY_INTERVAL,
    /* interface 1: CDC data */
    9, 4, 1, 0, 2, 0x0a, 0x00, 0x00, 0,
    7, 5, EP_BULK_IN, 2, LO(BULK_MAXP), HI(BULK_MAXP), 0,
    7, 5, EP_BULK_OUT, 2, LO(BULK_MAXP), HI(BULK_MAXP), 0,
};

static const char *const strings[] = {
    NULL,                       /* 0: language table */
    "qemu-ports",
    "qemu-ports usbredir test serial",
    "QP-USBREDIR-0001",
};
#define N_STRINGS (sizeof(strings) / sizeof(strings[0]))

/* --- state ---------------------------------------------------------------- */

#define MAX_PENDING  256        /* outstanding bulk IN requests */
#define OUTQ_MAX     65536      /* reply bytes waiting for bulk IN */
#define LINE_MAX_LEN 256        /* longest line we interpret */

enum mode { MODE_REPLY, MODE_ECHO, MODE_MUTE };

struct pending_in {
    uint64_t id;
    uint32_t len;
};

static struct {
    struct usbredirparser *parser;
    int fd;
    int verbose;
    enum mode mode;
    struct timespec start;
    double deadline;            /* seconds since start, 0 = none */
    int eof;                    /* the peer closed the connection */
    int io_errno;               /* errno of a failed recv/send */

    int configuration;          /* 0 = unconfigured, 1 */
    uint8_t line_coding[7];     /* dwDTERate (LE), stop bits, parity, bits */
    uint16_t line_state;        /* bit 0 DTR, bit 1 RTS */
    int notify_started;

    struct pending_in pending[MAX_PENDING];
    int n_pending;
    uint8_t outq[OUTQ_MAX];
    size_t outq_len;
    char line[LINE_MAX_LEN + 1];
    size_t line_len;
    int line_too_long;

    /* counters for the summary line */
    unsigned long n_ctrl, n_stall, n_bulk_out, n_bulk_in, n_cancel;
    unsigned long n_ping, n_reply, bytes_out, bytes_in;
    int hello, connected;
    char parser_error[256];     /* the parser's last error or warning */
} g;

/* --- logging -------------------------------------------------------------- */

static double elapsed(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - g.start.tv_sec) + (now.tv_nsec - g.start.tv_nsec) / 1e9;
}

static void vlog_line(const char *prefix, const char *fmt, va_list ap)
{
    char buf[1024];
    int n;

    n = snprintf(buf, sizeof(buf), "usbredir-peer: %8.3f %s", elapsed(), prefix);
    if (n < 0) {
        return;
    }
    if ((size_t)n < sizeof(buf)) {
        vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
    }
    buf[sizeof(buf) - 2] = '\0';
    strcat(buf, "\n");
    /* one write per line, so that lines never interleave */
    fputs(buf, stderr);
}

static void __attribute__((format(printf, 1, 2))) say(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vlog_line("", fmt, ap);
    va_end(ap);
}

static void summary(void)
{
    say("summary: hello=%d connected=%d configuration=%d ctrl=%lu stalls=%lu "
        "bulk_out=%lu bulk_in=%lu cancels=%lu pings=%lu replies=%lu "
        "bytes_out=%lu bytes_in=%lu",
        g.hello, g.connected, g.configuration, g.n_ctrl, g.n_stall,
        g.n_bulk_out, g.n_bulk_in, g.n_cancel, g.n_ping, g.n_reply,
        g.bytes_out, g.bytes_in);
}

static void __attribute__((noreturn, format(printf, 2, 3)))
die(int status, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vlog_line("error: ", fmt, ap);
    va_end(ap);
    if (g.parser) {
        summary();
    }
    exit(status);
}

/* printable form of transfer data, for the log */
static const char *show(const uint8_t *data, size_t len)
{
    static char buf[200];
    size_t i, o = 0;

    for (i = 0; i < len && o + 5 < sizeof(buf); i++) {
        uint8_t c = data[i];
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            buf[o++] = (char)c;
        } else {
            o += snprintf(buf + o, sizeof(buf) - o, "\\x%02x", c);
        }
    }
    if (i < len) {
        snprintf(buf + o, sizeof(buf) - o, "...");
    } else {
        buf[o] = '\0';
    }
    return buf;
}

/* --- parser I/O callbacks ------------------------------------------------- */

static void cb_log(void *priv, int level, const char *msg)
{
    (void)priv;
    if (level <= usbredirparser_warning) {
        snprintf(g.parser_error, sizeof(g.parser_error), "%s", msg);
    }
    if (level <= usbredirparser_info || g.verbose) {
        say("parser: %s", msg);
    }
}

static int cb_read(void *priv, uint8_t *data, int count)
{
    ssize_t r;

    (void)priv;
    r = recv(g.fd, data, (size_t)count, 0);
    if (r > 0) {
        return (int)r;
    }
    if (r == 0) {
        g.eof = 1;
        return -1;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        return 0;
    }
    g.io_errno = errno;
    return -1;
}

static int cb_write(void *priv, uint8_t *data, int count)
{
    ssize_t w;

    (void)priv;
    w = send(g.fd, data, (size_t)count, MSG_NOSIGNAL);
    if (w >= 0) {
        return (int)w;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        return 0;
    }
    g.io_errno = errno;
    return -1;
}

/* --- device description sent to QEMU ------------------------------------- */

/* index of an endpoint in usb_redir_ep_info_header: OUT 0-15, IN 16-31 */
static int ep_index(uint8_t ep)
{
    return ((ep & 0x80) >> 3) | (ep & 0x0f);
}

static void send_ep_and_interface_info(void)
{
    struct usb_redir_ep_info_header ep;
    struct usb_redir_interface_info_header intf;
    int i;

    memset(&ep, 0, sizeof(ep));
    for (i = 0; i < 32; i++) {
        ep.type[i] = usb_redir_type_invalid;
    }
    ep.type[ep_index(0x00)] = usb_redir_type_control;
    ep.type[ep_index(0x80)] = usb_redir_type_control;
    ep.max_packet_size[ep_index(0x00)] = EP0_MAXP;
    ep.max_packet_size[ep_index(0x80)] = EP0_MAXP;

    memset(&intf, 0, sizeof(intf));
    if (g.configuration == 1) {
        ep.type[ep_index(EP_NOTIFY)] = usb_redir_type_interrupt;
        ep.interval[ep_index(EP_NOTIFY)] = NOTIFY_INTERVAL;
        ep.interface[ep_index(EP_NOTIFY)] = 0;
        ep.max_packet_size[ep_index(EP_NOTIFY)] = NOTIFY_MAXP;
        ep.type[ep_index(EP_BULK_IN)] = usb_redir_type_bulk;
        ep.interface[ep_index(EP_BULK_IN)] = 1;
        ep.max_packet_size[ep_index(EP_BULK_IN)] = BULK_MAXP;
        ep.type[ep_index(EP_BULK_OUT)] = usb_redir_type_bulk;
        ep.interface[ep_index(EP_BULK_OUT)] = 1;
        ep.max_packet_size[ep_index(EP_BULK_OUT)] = BULK_MAXP;

        intf.interface_count = 2;
        intf.interface[0] = 0;
        intf.interface_class[0] = 0x02;
        intf.interface_subclass[0] = 0x02;
        intf.interface_protocol[0] = 0x01;
        intf.interface[1] = 1;
        intf.interface_class[1] = 0x0a;
    }
    /* the protocol wants ep_info first, then interface_info */
    usbredirparser_send_ep_info(g.parser, &ep);
    usbredirparser_send_interface_info(g.parser, &intf);
    say("sent ep_info and interface_info for configuration %d "
        "(%u interfaces)", g.configuration, intf.interface_count);
}

static void send_device_connect(void)
{
    struct usb_redir_device_connect_header dc;

    memset(&dc, 0, sizeof(dc));
    dc.speed = usb_redir_speed_full;
    dc.device_class = device_descriptor[4];
    dc.device_subclass = device_descriptor[5];
    dc.device_protocol = device_descriptor[6];
    dc.vendor_id = VENDOR_ID;
    dc.product_id = PRODUCT_ID;
    dc.device_version_bcd = DEVICE_BCD;
    usbredirparser_send_device_connect(g.parser, &dc);
    g.connected = 1;
    say("sent device_connect %04x:%04x full speed class %02x",
        VENDOR_ID, PRODUCT_ID, dc.device_class);
}

/* --- the serial function: lines in, replies out --------------------------- */

/* hand queued reply bytes to outstanding bulk IN requests, oldest first */
static void serve_bulk_in(void)
{
    while (g.n_pending > 0 && g.outq_len > 0) {
        struct pending_in p = g.pending[0];
        struct usb_redir_bulk_packet_header h;
        size_t n = g.outq_len < p.len ? g.outq_len : p.len;

        memset(&h, 0, sizeof(h));
        h.endpoint = EP_BULK_IN;
        h.status = usb_redir_success;
        h.length = (uint16_t)(n & 0xffff);
        h.length_high = (uint16_t)(n >> 16);
        usbredirparser_send_bulk_packet(g.parser, p.id, &h, g.outq, (int)n);
        say("bulk IN  ep %02x id %llu: sent %zu of %u bytes \"%s\"", EP_BULK_IN,
            (unsigned long long)p.id, n, p.len, show(g.outq, n));
        g.n_bulk_in++;
        g.bytes_in += n;
        memmove(g.outq, g.outq + n, g.outq_len - n);
        g.outq_len -= n;
        memmove(&g.pending[0], &g.pending[1],
                (size_t)(g.n_pending - 1) * sizeof(g.pending[0]));
        g.n_pending--;
    }
}

static void queue_reply(const char *text, size_t len)
{
    if (len > OUTQ_MAX - g.outq_len) {
        say("reply dropped: %zu bytes would overflow the %d byte queue",
            len, OUTQ_MAX);
        return;
    }
    memcpy(g.outq + g.outq_len, text, len);
    g.outq_len += len;
    g.n_reply++;
    serve_bulk_in();
}

static void handle_line(const char *line, size_t len)
{
    char reply[LINE_MAX_LEN + 8];
    size_t i, n;

    if (len == 0) {
        return;
    }
    if (g.line_too_long) {
        say("line longer than %d bytes ignored", LINE_MAX_LEN);
        return;
    }
    if (len < 5 || memcmp(line, "PING ", 5) != 0) {
        say("line ignored (not a PING): \"%s\"", show((const uint8_t *)line, len));
        return;
    }
    for (i = 5; i < len; i++) {
        if (line[i] < 0x20 || line[i] >= 0x7f) {
            say("PING with non-printable text ignored: \"%s\"",
                show((const uint8_t *)line, len));
            return;
        }
    }
    g.n_ping++;
    switch (g.mode) {
    case MODE_MUTE:
        say("PING \"%.*s\": mute mode, not answering", (int)(len - 5), line + 5);
        return;
    case MODE_ECHO:
        memcpy(reply, line, len);
        n = len;
        break;
    default:
        memcpy(reply, "PONG ", 5);
        n = 5;
        for (i = len; i > 5; i--) {
            char c = line[i - 1];
            reply[n++] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
        }
        break;
    }
    reply[n++] = '\n';
    say("PING \"%.*s\" -> answering \"%.*s\"", (int)(len - 5), line + 5,
        (int)(n - 1), reply);
    queue_reply(reply, n);
}

static void serial_data_out(const uint8_t *data, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        char c = (char)data[i];
        if (c == '\n' || c == '\r') {
            handle_line(g.line, g.line_len);
            g.line_len = 0;
            g.line_too_long = 0;
        } else if (g.line_len < LINE_MAX_LEN) {
            g.line[g.line_len++] = c;
        } else {
            g.line_too_long = 1;
        }
    }
}

/* --- control requests on endpoint 0 --------------------------------------- */

static size_t string_descriptor(unsigned idx, uint8_t *buf, size_t size)
{
    const char *s;
    size_t i, n;

    if (idx == 0) {
        static const uint8_t langs[4] = { 4, 3, 0x09, 0x04 };   /* en-US */
        memcpy(buf, langs, sizeof(langs));
        return sizeof(langs);
    }
    if (idx >= N_STRINGS) {
        return 0;
    }
    s = strings[idx];
    n = strlen(s);
    if (2 + 2 * n > size || 2 + 2 * n > 255) {
        return 0;
    }
    buf[0] = (uint8_t)(2 + 2 * n);
    buf[1] = 3;
    for (i = 0; i < n; i++) {           /* ASCII -> UTF-16LE */
        buf[2 + 2 * i] = (uint8_t)s[i];
        buf[3 + 2 * i] = 0;
    }
    return 2 + 2 * n;
}

static const char *request_name(uint8_t type, uint8_t req)
{
    if ((type & 0x60) == 0x00) {
        static const char *const std[] = {
            "GET_STATUS", "CLEAR_FEATURE", "?2", "SET_FEATURE", "?4",
            "SET_ADDRESS", "GET_DESCRIPTOR", "SET_DESCRIPTOR",
            "GET_CONFIGURATION", "SET_CONFIGURATION", "GET_INTERFACE",
            "SET_INTERFACE", "SYNCH_FRAME",
        };
        return req < sizeof(std) / sizeof(std[0]) ? std[req] : "standard?";
    }
    if ((type & 0x60) == 0x20) {
        switch (req) {
        case 0x20: return "SET_LINE_CODING";
        case 0x21: return "GET_LINE_CODING";
        case 0x22: return "SET_CONTROL_LINE_STATE";
        case 0x23: return "SEND_BREAK";
        default: return "class?";
        }
    }
    return "vendor?";
}

static int known_endpoint(unsigned ep)
{
    return ep == 0x00 || ep == 0x80 ||
           (g.configuration == 1 &&
            (ep == EP_NOTIFY || ep == EP_BULK_IN || ep == EP_BULK_OUT));
}

/*
 * Handle one control transfer.  Returns a usb_redir_* status; for IN
 * requests out[] with *out_len bytes is the answer (before truncation to wLength).
 */
static int control_request(uint8_t type, uint8_t req, uint16_t value,
                           uint16_t index, const uint8_t *data, size_t len,
                           uint8_t *out, size_t *out_len, char *note,
                           size_t note_size)
{
    int in = type & 0x80;

    *out_len = 0;
    switch (((unsigned)type << 8) | req) {
    case 0x8006:                                        /* GET_DESCRIPTOR */
        switch (value >> 8) {
        case 1:
            memcpy(out, device_descriptor, sizeof(device_descriptor));
            *out_len = sizeof(device_descriptor);
            snprintf(note, note_size, "device");
            return usb_redir_success;
        case 2:
            if ((value & 0xff) != 0) {
                break;
            }
            memcpy(out, config_descriptor, sizeof(config_descriptor));
            *out_len = sizeof(config_descriptor);
            snprintf(note, note_size, "configuration");
            return usb_redir_success;
        case 3:
            *out_len = string_descriptor(value & 0xff, out, 256);
            snprintf(note, note_size, "string %u lang %04x", value & 0xff, index);
            return *out_len ? usb_redir_success : usb_redir_stall;
        }
        snprintf(note, note_size, "type %u index %u: not supported",
                 value >> 8, value & 0xff);
        return usb_redir_stall;
    case 0x8000:                                        /* GET_STATUS */
    case 0x8100:
        out[0] = out[1] = 0;                            /* bus powered */
        *out_len = 2;
        return usb_redir_success;
    case 0x8200:
        if (!known_endpoint(index & 0xff)) {
            return usb_redir_stall;
        }
        out[0] = out[1] = 0;                            /* not halted */
        *out_len = 2;
        return usb_redir_success;
    case 0x0001:                                        /* CLEAR_FEATURE */
    case 0x0003:                                        /* SET_FEATURE */
        snprintf(note, note_size, "feature %u", value);
        return value == 1 ? usb_redir_success : usb_redir_stall;
    case 0x0201:                                        /* CLEAR_FEATURE(HALT) */
        snprintf(note, note_size, "feature %u ep %02x", value, index & 0xff);
        return value == 0 && known_endpoint(index & 0xff) ?
               usb_redir_success : usb_redir_stall;
    case 0x8008:                                        /* GET_CONFIGURATION */
        out[0] = (uint8_t)g.configuration;
        *out_len = 1;
        return usb_redir_success;
    case 0x0009:                                        /* SET_CONFIGURATION */
        if (value > 1) {
            return usb_redir_stall;
        }
        g.configuration = value;
        send_ep_and_interface_info();
        return usb_redir_success;
    case 0x810a:                                        /* GET_INTERFACE */
        if (g.configuration != 1 || index > 1) {
            return usb_redir_stall;
        }
        out[0] = 0;
        *out_len = 1;
        return usb_redir_success;
    case 0x010b:                                        /* SET_INTERFACE */
        return g.configuration == 1 && index <= 1 && value == 0 ?
               usb_redir_success : usb_redir_stall;
    case 0x2120:                                        /* SET_LINE_CODING */
        if (index != 0 || len != sizeof(g.line_coding)) {
            return usb_redir_stall;
        }
        memcpy(g.line_coding, data, sizeof(g.line_coding));
        snprintf(note, note_size, "%lu baud, %u data bits, parity %u, stop %u",
                 (unsigned long)g.line_coding[0] | (unsigned long)g.line_coding[1] << 8 |
                 (unsigned long)g.line_coding[2] << 16 | (unsigned long)g.line_coding[3] << 24,
                 g.line_coding[6], g.line_coding[5], g.line_coding[4]);
        return usb_redir_success;
    case 0xa121:                                        /* GET_LINE_CODING */
        if (index != 0) {
            return usb_redir_stall;
        }
        memcpy(out, g.line_coding, sizeof(g.line_coding));
        *out_len = sizeof(g.line_coding);
        return usb_redir_success;
    case 0x2122:                                        /* SET_CONTROL_LINE_STATE */
        if (index != 0) {
            return usb_redir_stall;
        }
        g.line_state = value & 3;
        snprintf(note, note_size, "DTR=%u RTS=%u", value & 1, (value >> 1) & 1);
        return usb_redir_success;
    case 0x2123:                                        /* SEND_BREAK */
        snprintf(note, note_size, "%u ms", value);
        return index == 0 ? usb_redir_success : usb_redir_stall;
    }
    (void)in;
    snprintf(note, note_size, "not supported");
    return usb_redir_stall;
}

static void cb_control_packet(void *priv, uint64_t id,
                              struct usb_redir_control_packet_header *h,
                              uint8_t *data, int data_len)
{
    struct usb_redir_control_packet_header r = *h;
    uint8_t answer[512];
    size_t answer_len = 0;
    char note[160] = "";
    int in = h->endpoint & 0x80;
    int status;

    (void)priv;
    g.n_ctrl++;
    if ((h->endpoint & 0x7f) != 0) {
        snprintf(note, sizeof(note), "control packet for endpoint %02x", h->endpoint);
        status = usb_redir_inval;
    } else if ((h->requesttype & 0x80) != in) {
        snprintf(note, sizeof(note), "direction of bmRequestType and endpoint differ");
        status = usb_redir_inval;
    } else {
        status = control_request(h->requesttype, h->request, h->value, h->index,
                                 data, data_len > 0 ? (size_t)data_len : 0,
                                 answer, &answer_len, note, sizeof(note));
    }
    if (in && answer_len > h->length) {
        answer_len = h->length;
    }
    r.status = (uint8_t)status;
    if (status != usb_redir_success) {
        g.n_stall++;
        r.length = 0;
        answer_len = 0;
    } else if (in) {
        r.length = (uint16_t)answer_len;
    }
    say("ctrl %s type %02x req %02x %s value %04x index %04x len %u%s%s -> %s%s",
        in ? "IN " : "OUT", h->requesttype, h->request,
        request_name(h->requesttype, h->request), h->value, h->index, h->length,
        note[0] ? ": " : "", note,
        status == usb_redir_success ? "ok" :
        status == usb_redir_stall ? "STALL" : "INVALID",
        in && status == usb_redir_success ?
            (answer_len ? ", answered" : ", empty answer") : "");
    if (in) {
        usbredirparser_send_control_packet(g.parser, id, &r,
                                           answer_len ? answer : NULL,
                                           (int)answer_len);
    } else {
        usbredirparser_send_control_packet(g.parser, id, &r, NULL, 0);
    }
    usbredirparser_free_packet_data(g.parser, data);
}

/* --- usbredir control packets --------------------------------------------- */

static void cb_hello(void *priv, struct usb_redir_hello_header *h)
{
    char version[sizeof(h->version) + 1];

    (void)priv;
    memcpy(version, h->version, sizeof(h->version));
    version[sizeof(h->version)] = '\0';
    say("hello from \"%s\" (64-bit ids %s, 32-bit bulk length %s)",
        show((const uint8_t *)version, strlen(version)),
        usbredirparser_peer_has_cap(g.parser, usb_redir_cap_64bits_ids) ? "yes" : "no",
        usbredirparser_peer_has_cap(g.parser, usb_redir_cap_32bits_bulk_length) ?
            "yes" : "no");
    if (g.hello) {
        die(1, "second hello on the same connection");
    }
    g.hello = 1;
    /* a device the host OS already configured, as usbredirhost reports one */
    g.configuration = 1;
    send_ep_and_interface_info();
    send_device_connect();
}

static void cb_reset(void *priv)
{
    (void)priv;
    say("reset (dropping %zu queued reply bytes and a partial line of %zu)",
        g.outq_len, g.line_len);
    g.outq_len = 0;
    g.line_len = 0;
    g.line_too_long = 0;
}

static void cb_set_configuration(void *priv, uint64_t id,
                                 struct usb_redir_set_configuration_header *h)
{
    struct usb_redir_configuration_status_header st;

    (void)priv;
    st.status = usb_redir_success;
    if (h->configuration > 1) {
        st.status = usb_redir_stall;
    } else {
        g.configuration = h->configuration;
        g.notify_started = 0;
        send_ep_and_interface_info();
    }
    st.configuration = (uint8_t)g.configuration;
    say("set_configuration %u id %llu -> %s", h->configuration,
        (unsigned long long)id, st.status ? "STALL" : "ok");
    usbredirparser_send_configuration_status(g.parser, id, &st);
}

static void cb_get_configuration(void *priv, uint64_t id)
{
    struct usb_redir_configuration_status_header st;

    (void)priv;
    st.status = usb_redir_success;
    st.configuration = (uint8_t)g.configuration;
    say("get_configuration id %llu -> %d", (unsigned long long)id, g.configuration);
    usbredirparser_send_configuration_status(g.parser, id, &st);
}

static void cb_set_alt_setting(void *priv, uint64_t id,
                               struct usb_redir_set_alt_setting_header *h)
{
    struct usb_redir_alt_setting_status_header st;

    (void)priv;
    st.interface = h->interface;
    st.alt = 0;
    st.status = (g.configuration == 1 && h->interface <= 1 && h->alt == 0) ?
                usb_redir_success : usb_redir_stall;
    if (st.status == usb_redir_success) {
        send_ep_and_interface_info();
    }
    say("set_alt_setting interface %u alt %u id %llu -> %s", h->interface, h->alt,
        (unsigned long long)id, st.status ? "STALL" : "ok");
    usbredirparser_send_alt_setting_status(g.parser, id, &st);
}

static void cb_get_alt_setting(void *priv, uint64_t id,
                               struct usb_redir_get_alt_setting_header *h)
{
    struct usb_redir_alt_setting_status_header st;

    (void)priv;
    st.interface = h->interface;
    st.alt = 0;
    st.status = (g.configuration == 1 && h->interface <= 1) ?
                usb_redir_success : usb_redir_stall;
    say("get_alt_setting interface %u id %llu -> %s", h->interface,
        (unsigned long long)id, st.status ? "STALL" : "alt 0");
    usbredirparser_send_alt_setting_status(g.parser, id, &st);
}

static void cb_start_iso_stream(void *priv, uint64_t id,
                                struct usb_redir_start_iso_stream_header *h)
{
    struct usb_redir_iso_stream_status_header st = {
        .status = usb_redir_stall, .endpoint = h->endpoint,
    };

    (void)priv;
    say("start_iso_stream ep %02x id %llu -> STALL (no iso endpoints)",
        h->endpoint, (unsigned long long)id);
    usbredirparser_send_iso_stream_status(g.parser, id, &st);
}

static void cb_stop_iso_stream(void *priv, uint64_t id,
                               struct usb_redir_stop_iso_stream_header *h)
{
    struct usb_redir_iso_stream_status_header st = {
        .status = usb_redir_stall, .endpoint = h->endpoint,
    };

    (void)priv;
    say("stop_iso_stream ep %02x id %llu -> STALL (no iso endpoints)",
        h->endpoint, (unsigned long long)id);
    usbredirparser_send_iso_stream_status(g.parser, id, &st);
}

static void cb_start_interrupt_receiving(
    void *priv, uint64_t id, struct usb_redir_start_interrupt_receiving_header *h)
{
    struct usb_redir_interrupt_receiving_status_header st = {
        .status = usb_redir_stall, .endpoint = h->endpoint,
    };

    (void)priv;
    if (h->endpoint == EP_NOTIFY && g.configuration == 1) {
        st.status = usb_redir_success;
        g.notify_started = 1;
    }
    say("start_interrupt_receiving ep %02x -> %s", h->endpoint,
        st.status ? "STALL" : "ok");
    usbredirparser_send_interrupt_receiving_status(g.parser, id, &st);
}

static void cb_stop_interrupt_receiving(
    void *priv, uint64_t id, struct usb_redir_stop_interrupt_receiving_header *h)
{
    struct usb_redir_interrupt_receiving_status_header st = {
        .status = usb_redir_success, .endpoint = h->endpoint,
    };

    (void)priv;
    if (h->endpoint == EP_NOTIFY) {
        g.notify_started = 0;
    } else {
        st.status = usb_redir_stall;
    }
    say("stop_interrupt_receiving ep %02x -> %s", h->endpoint,
        st.status ? "STALL" : "ok");
    usbredirparser_send_interrupt_receiving_status(g.parser, id, &st);
}

static void cb_alloc_bulk_streams(void *priv, uint64_t id,
                                  struct usb_redir_alloc_bulk_streams_header *h)
{
    struct usb_redir_bulk_streams_status_header st = {
        .endpoints = h->endpoints, .no_streams = h->no_streams,
        .status = usb_redir_stall,
    };

    (void)priv;
    say("alloc_bulk_streams eps %08x streams %u -> STALL (no streams)",
        h->endpoints, h->no_streams);
    usbredirparser_send_bulk_streams_status(g.parser, id, &st);
}

static void cb_free_bulk_streams(void *priv, uint64_t id,
                                 struct usb_redir_free_bulk_streams_header *h)
{
    struct usb_redir_bulk_streams_status_header st = {
        .endpoints = h->endpoints, .no_streams = 0, .status = usb_redir_success,
    };

    (void)priv;
    say("free_bulk_streams eps %08x -> ok", h->endpoints);
    usbredirparser_send_bulk_streams_status(g.parser, id, &st);
}

static void cb_start_bulk_receiving(void *priv, uint64_t id,
                                    struct usb_redir_start_bulk_receiving_header *h)
{
    (void)priv;
    (void)id;
    /* the parser refuses these without the capability, which we never announce */
    die(1, "start_bulk_receiving ep %02x without the bulk_receiving capability",
        h->endpoint);
}

static void cb_stop_bulk_receiving(void *priv, uint64_t id,
                                   struct usb_redir_stop_bulk_receiving_header *h)
{
    (void)priv;
    (void)id;
    die(1, "stop_bulk_receiving ep %02x without the bulk_receiving capability",
        h->endpoint);
}

static void cb_cancel_data_packet(void *priv, uint64_t id)
{
    int i;

    (void)priv;
    g.n_cancel++;
    for (i = 0; i < g.n_pending; i++) {
        if (g.pending[i].id == id) {
            struct usb_redir_bulk_packet_header h;

            memset(&h, 0, sizeof(h));
            h.endpoint = EP_BULK_IN;
            h.status = usb_redir_cancelled;
            usbredirparser_send_bulk_packet(g.parser, id, &h, NULL, 0);
            memmove(&g.pending[i], &g.pending[i + 1],
                    (size_t)(g.n_pending - i - 1) * sizeof(g.pending[0]));
            g.n_pending--;
            say("cancel id %llu: bulk IN request cancelled (%d still pending)",
                (unsigned long long)id, g.n_pending);
            return;
        }
    }
    say("cancel id %llu: nothing pending with that id (already answered)",
        (unsigned long long)id);
}

static void cb_filter_reject(void *priv)
{
    (void)priv;
    die(1, "QEMU rejected the device (usb-redir filter)");
}

static void cb_filter_filter(void *priv, struct usbredirfilter_rule *rules,
                             int rules_count)
{
    (void)priv;
    say("QEMU announced a device filter of %d rules", rules_count);
    usbredirfilter_free(rules);
}

static void cb_device_disconnect_ack(void *priv)
{
    (void)priv;
    say("device_disconnect_ack");
}

/* --- usbredir data packets ------------------------------------------------- */

static void cb_bulk_packet(void *priv, uint64_t id,
                           struct usb_redir_bulk_packet_header *h,
                           uint8_t *data, int data_len)
{
    struct usb_redir_bulk_packet_header r = *h;
    uint32_t len = ((uint32_t)h->length_high << 16) | h->length;

    (void)priv;
    r.length = 0;
    r.length_high = 0;
    if (h->stream_id != 0 || !known_endpoint(h->endpoint) ||
        (h->endpoint != EP_BULK_IN && h->endpoint != EP_BULK_OUT)) {
        say("bulk ep %02x stream %u id %llu len %u: no such bulk endpoint -> STALL",
            h->endpoint, h->stream_id, (unsigned long long)id, len);
        r.status = usb_redir_stall;
        usbredirparser_send_bulk_packet(g.parser, id, &r, NULL, 0);
    } else if (h->endpoint == EP_BULK_OUT) {
        size_t n = data_len > 0 ? (size_t)data_len : 0;

        g.n_bulk_out++;
        g.bytes_out += n;
        say("bulk OUT ep %02x id %llu: %zu bytes \"%s\"", h->endpoint,
            (unsigned long long)id, n, show(data, n));
        r.status = usb_redir_success;
        r.length = (uint16_t)(n & 0xffff);
        r.length_high = (uint16_t)(n >> 16);
        usbredirparser_send_bulk_packet(g.parser, id, &r, NULL, 0);
        serial_data_out(data, n);
    } else {
        if (g.n_pending >= MAX_PENDING) {
            usbredirparser_free_packet_data(g.parser, data);
            die(1, "more than %d bulk IN requests outstanding", MAX_PENDING);
        }
        g.pending[g.n_pending].id = id;
        g.pending[g.n_pending].len = len;
        g.n_pending++;
        say("bulk IN  ep %02x id %llu: request for %u bytes (%d pending)",
            h->endpoint, (unsigned long long)id, len, g.n_pending);
        serve_bulk_in();
    }
    usbredirparser_free_packet_data(g.parser, data);
}

static void cb_iso_packet(void *priv, uint64_t id,
                          struct usb_redir_iso_packet_header *h,
                          uint8_t *data, int data_len)
{
    (void)priv;
    say("iso packet ep %02x id %llu len %d ignored (no iso endpoints)",
        h->endpoint, (unsigned long long)id, data_len);
    usbredirparser_free_packet_data(g.parser, data);
}

static void cb_interrupt_packet(void *priv, uint64_t id,
                                struct usb_redir_interrupt_packet_header *h,
                                uint8_t *data, int data_len)
{
    struct usb_redir_interrupt_packet_header r = *h;

    (void)priv;
    /* only OUT interrupt packets reach a usb-host; this device has none */
    say("interrupt OUT ep %02x id %llu len %d: no such endpoint -> STALL",
        h->endpoint, (unsigned long long)id, data_len);
    r.status = usb_redir_stall;
    r.length = 0;
    usbredirparser_send_interrupt_packet(g.parser, id, &r, NULL, 0);
    usbredirparser_free_packet_data(g.parser, data);
}

static void cb_buffered_bulk_packet(void *priv, uint64_t id,
                                    struct usb_redir_buffered_bulk_packet_header *h,
                                    uint8_t *data, int data_len)
{
    (void)priv;
    (void)id;
    (void)data_len;
    usbredirparser_free_packet_data(g.parser, data);
    die(1, "buffered_bulk_packet ep %02x sent to a usb-host", h->endpoint);
}

/* packets only a usb-host sends; the parser refuses them, but be sure */
static void cb_host_only(const char *what)
{
    die(1, "QEMU sent %s, a packet only a usb-host sends", what);
}
static void cb_device_connect(void *p, struct usb_redir_device_connect_header *h)
{ (void)p; (void)h; cb_host_only("device_connect"); }
static void cb_device_disconnect(void *p)
{ (void)p; cb_host_only("device_disconnect"); }
static void cb_interface_info(void *p, struct usb_redir_interface_info_header *h)
{ (void)p; (void)h; cb_host_only("interface_info"); }
static void cb_ep_info(void *p, struct usb_redir_ep_info_header *h)
{ (void)p; (void)h; cb_host_only("ep_info"); }
static void cb_configuration_status(void *p, uint64_t id,
                                    struct usb_redir_configuration_status_header *h)
{ (void)p; (void)id; (void)h; cb_host_only("configuration_status"); }
static void cb_alt_setting_status(void *p, uint64_t id,
                                  struct usb_redir_alt_setting_status_header *h)
{ (void)p; (void)id; (void)h; cb_host_only("alt_setting_status"); }
static void cb_iso_stream_status(void *p, uint64_t id,
                                 struct usb_redir_iso_stream_status_header *h)
{ (void)p; (void)id; (void)h; cb_host_only("iso_stream_status"); }
static void cb_interrupt_receiving_status(
    void *p, uint64_t id, struct usb_redir_interrupt_receiving_status_header *h)
{ (void)p; (void)id; (void)h; cb_host_only("interrupt_receiving_status"); }
static void cb_bulk_streams_status(void *p, uint64_t id,
                                   struct usb_redir_bulk_streams_status_header *h)
{ (void)p; (void)id; (void)h; cb_host_only("bulk_streams_status"); }
static void cb_bulk_receiving_status(void *p, uint64_t id,
                                     struct usb_redir_bulk_receiving_status_header *h)
{ (void)p; (void)id; (void)h; cb_host_only("bulk_receiving_status"); }

/* --- main ------------------------------------------------------------------ */

static void usage(void)
{
    fprintf(stderr,
            "usage: usbredir-peer [-a ADDR] [-t SECONDS] [-m reply|echo|mute] [-v] PORT\n"
            "  emulates a CDC-ACM serial device %04x:%04x for QEMU's usb-redir;\n"
            "  PORT 0 picks a free port; \"LISTENING <port>\" is printed on stdout\n",
            VENDOR_ID, PRODUCT_ID);
    exit(2);
}

/* milliseconds until the -t deadline (-1: none) */
static int time_left_ms(void)
{
    double left;

    if (g.deadline <= 0) {
        return -1;
    }
    left = g.deadline - elapsed();
    if (left <= 0) {
        die(3, "time limit of %.0f s reached", g.deadline);
    }
    return left > 1000 ? 1000 : (int)(left * 1000) + 1;
}

static int parse_number(const char *s, long max, long *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 0 || v > max) {
        return -1;
    }
    *out = v;
    return 0;
}

static int listen_socket(const char *addr, long port)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);
    int fd, one = 1;

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
        die(2, "not an IPv4 address: %s", addr);
    }
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        die(2, "socket: %s", strerror(errno));
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        die(2, "bind %s:%ld: %s", addr, port, strerror(errno));
    }
    if (listen(fd, 1) < 0) {
        die(2, "listen: %s", strerror(errno));
    }
    if (getsockname(fd, (struct sockaddr *)&sa, &sl) < 0) {
        die(2, "getsockname: %s", strerror(errno));
    }
    printf("LISTENING %u\n", ntohs(sa.sin_port));
    if (fflush(stdout) != 0) {
        die(2, "cannot write to stdout: %s", strerror(errno));
    }
    say("listening on %s:%u, device %04x:%04x, mode %s", addr, ntohs(sa.sin_port),
        VENDOR_ID, PRODUCT_ID,
        g.mode == MODE_REPLY ? "reply" : g.mode == MODE_ECHO ? "echo" : "mute");
    return fd;
}

static int accept_one(int lfd)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);
    char name[INET_ADDRSTRLEN] = "?";
    int fd, one = 1;

    for (;;) {
        struct pollfd p = { .fd = lfd, .events = POLLIN };
        int n = poll(&p, 1, time_left_ms());
        if (n < 0 && errno != EINTR) {
            die(2, "poll: %s", strerror(errno));
        }
        if (n > 0) {
            break;
        }
    }
    fd = accept4(lfd, (struct sockaddr *)&sa, &sl, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
        die(2, "accept: %s", strerror(errno));
    }
    close(lfd);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    inet_ntop(AF_INET, &sa.sin_addr, name, sizeof(name));
    say("connection from %s:%u", name, ntohs(sa.sin_port));
    return fd;
}

static void create_parser(void)
{
    struct usbredirparser *p;
    uint32_t caps[USB_REDIR_CAPS_SIZE] = { 0 };

    p = usbredirparser_create();
    if (!p) {
        die(2, "usbredirparser_create failed");
    }
    p->log_func = cb_log;
    p->read_func = cb_read;
    p->write_func = cb_write;
    p->hello_func = cb_hello;
    p->device_connect_func = cb_device_connect;
    p->device_disconnect_func = cb_device_disconnect;
    p->reset_func = cb_reset;
    p->interface_info_func = cb_interface_info;
    p->ep_info_func = cb_ep_info;
    p->set_configuration_func = cb_set_configuration;
    p->get_configuration_func = cb_get_configuration;
    p->configuration_status_func = cb_configuration_status;
    p->set_alt_setting_func = cb_set_alt_setting;
    p->get_alt_setting_func = cb_get_alt_setting;
    p->alt_setting_status_func = cb_alt_setting_status;
    p->start_iso_stream_func = cb_start_iso_stream;
    p->stop_iso_stream_func = cb_stop_iso_stream;
    p->iso_stream_status_func = cb_iso_stream_status;
    p->start_interrupt_receiving_func = cb_start_interrupt_receiving;
    p->stop_interrupt_receiving_func = cb_stop_interrupt_receiving;
    p->interrupt_receiving_status_func = cb_interrupt_receiving_status;
    p->alloc_bulk_streams_func = cb_alloc_bulk_streams;
    p->free_bulk_streams_func = cb_free_bulk_streams;
    p->bulk_streams_status_func = cb_bulk_streams_status;
    p->cancel_data_packet_func = cb_cancel_data_packet;
    p->control_packet_func = cb_control_packet;
    p->bulk_packet_func = cb_bulk_packet;
    p->iso_packet_func = cb_iso_packet;
    p->interrupt_packet_func = cb_interrupt_packet;
    p->filter_reject_func = cb_filter_reject;
    p->filter_filter_func = cb_filter_filter;
    p->device_disconnect_ack_func = cb_device_disconnect_ack;
    p->start_bulk_receiving_func = cb_start_bulk_receiving;
    p->stop_bulk_receiving_func = cb_stop_bulk_receiving;
    p->bulk_receiving_status_func = cb_bulk_receiving_status;
    p->buffered_bulk_packet_func = cb_buffered_bulk_packet;

    usbredirparser_caps_set_cap(caps, usb_redir_cap_connect_device_version);
    usbredirparser_caps_set_cap(caps, usb_redir_cap_filter);
    usbredirparser_caps_set_cap(caps, usb_redir_cap_ep_info_max_packet_size);
    usbredirparser_caps_set_cap(caps, usb_redir_cap_64bits_ids);
    usbredirparser_caps_set_cap(caps, usb_redir_cap_32bits_bulk_length);
    g.parser = p;
    /* queues our hello */
    usbredirparser_init(p, "qemu-ports usbredir-peer 1", caps,
                        USB_REDIR_CAPS_SIZE, usbredirparser_fl_usb_host);
}

int main(int argc, char **argv)
{
    const char *addr = "127.0.0.1";
    long port = -1, seconds = 0;
    int opt, lfd;

    clock_gettime(CLOCK_MONOTONIC, &g.start);
    signal(SIGPIPE, SIG_IGN);
    g.mode = MODE_REPLY;
    /* 9600 baud, 1 stop bit, no parity, 8 data bits until the host sets it */
    g.line_coding[0] = LO(9600);
    g.line_coding[1] = HI(9600);
    g.line_coding[6] = 8;

    while ((opt = getopt(argc, argv, "a:t:m:vh")) != -1) {
        switch (opt) {
        case 'a':
            addr = optarg;
            break;
        case 't':
            if (parse_number(optarg, 86400, &seconds) < 0) {
                usage();
            }
            break;
        case 'm':
            if (strcmp(optarg, "reply") == 0) {
                g.mode = MODE_REPLY;
            } else if (strcmp(optarg, "echo") == 0) {
                g.mode = MODE_ECHO;
            } else if (strcmp(optarg, "mute") == 0) {
                g.mode = MODE_MUTE;
            } else {
                usage();
            }
            break;
        case 'v':
            g.verbose = 1;
            break;
        default:
            usage();
        }
    }
    if (optind != argc - 1 || parse_number(argv[optind], 65535, &port) < 0) {
        usage();
    }
    g.deadline = (double)seconds;
    g.fd = -1;

    lfd = listen_socket(addr, port);
    g.fd = accept_one(lfd);
    create_parser();

    for (;;) {
        struct pollfd p = { .fd = g.fd, .events = POLLIN };
        int n;

        if (usbredirparser_has_data_to_write(g.parser)) {
            p.events |= POLLOUT;
        }
        n = poll(&p, 1, time_left_ms());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            die(1, "poll: %s", strerror(errno));
        }
        if (n == 0) {
            continue;
        }
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            int r = usbredirparser_do_read(g.parser);
            if (r == usbredirparser_read_parse_error) {
                die(1, "malformed usbredir data from the connection: %s",
                    g.parser_error[0] ? g.parser_error : "(no parser message)");
            }
            if (r < 0 || g.eof) {
                if (g.eof || g.io_errno == ECONNRESET) {
                    break;
                }
                die(1, "read from the connection: %s", strerror(g.io_errno));
            }
        }
        if (usbredirparser_has_data_to_write(g.parser) &&
            usbredirparser_do_write(g.parser) < 0) {
            if (g.io_errno == EPIPE || g.io_errno == ECONNRESET) {
                break;
            }
            die(1, "write to the connection: %s", strerror(g.io_errno));
        }
    }
    if (!g.hello) {
        die(1, "connection closed before the usbredir hello");
    }
    say("connection closed by the peer (%d bulk IN requests were pending, "
        "%zu reply bytes unsent)", g.n_pending, g.outq_len);
    summary();
    usbredirparser_destroy(g.parser);
    close(g.fd);
    return 0;
}
