/*
 * A static i386 guest program for the smoke test: it proves it runs as
 * i386 code (pointer size, uname machine as the emulator reports it) and
 * does real work (a checksum the test compares with the host's).
 */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

int main(int argc, char **argv)
{
    struct utsname u;
    unsigned long sum = 0;
    const char *text = argc > 1 ? argv[1] : "";

    if (uname(&u) != 0) {
        perror("uname");
        return 1;
    }
    for (size_t i = 0; i < strlen(text); i++) {
        sum = sum * 31 + (unsigned char)text[i];
    }
    printf("guest-hello pointer=%zu machine=%s sum=%lu\n",
           sizeof(void *), u.machine, sum);
    return 0;
}
