/* veil's C ABI from C: verify (key bytes, or keys by path), reject, decode,
 * and errors.
 * Usage: verify VK PROOF PUBLIC PUBLIC_TAMPERED */
#include "veil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define CHECK(cond, what)                                                   \
    do {                                                                    \
        if (cond) {                                                         \
            printf("ok   %s\n", what);                                      \
        } else {                                                            \
            const char *last = veil_last_error();                           \
            printf("FAIL %s (last error: %s)\n", what, last ? last : "none"); \
            failures++;                                                     \
        }                                                                   \
    } while (0)

/* The whole file, NUL-terminated; its length (without the NUL) in *len. */
static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)size + 1);
    if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    buf[size] = '\0';
    fclose(f);
    if (len) *len = (size_t)size;
    return buf;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s VK PROOF PUBLIC PUBLIC_TAMPERED\n", argv[0]);
        return 2;
    }
    size_t vk_len = 0;
    char *vk = slurp(argv[1], &vk_len);
    char *proof = slurp(argv[2], NULL);
    char *public_json = slurp(argv[3], NULL);
    char *tampered = slurp(argv[4], NULL);

    printf("veil %s\n", veil_version());

    int32_t rc = veil_verify((const uint8_t *)vk, vk_len, proof, public_json);
    CHECK(rc == VEIL_OK, "a valid proof verifies");
    CHECK(veil_last_error() == NULL, "no error after success");

    rc = veil_verify((const uint8_t *)vk, vk_len, proof, tampered);
    CHECK(rc == VEIL_ERR_PROOF_REJECTED, "a proof for other public inputs is rejected");
    CHECK(strcmp(veil_status_name(rc), "PROOF_REJECTED") == 0, "the status has its name");

    rc = veil_verify((const uint8_t *)vk, vk_len, "{\"pi_a\": [", public_json);
    CHECK(rc == VEIL_ERR_MALFORMED_INPUT, "truncated proof JSON is malformed input");
    CHECK(veil_last_error() && strstr(veil_last_error(), "proof"), "the message names the proof");

    rc = veil_verify((const uint8_t *)vk, 10, proof, public_json);
    CHECK(rc != VEIL_OK, "a truncated verifying key is refused");

    rc = veil_verify(NULL, 0, proof, public_json);
    CHECK(rc == VEIL_ERR_MALFORMED_INPUT, "a NULL key is malformed input, not a crash");

    rc = veil_verify_with_keys(argv[1], proof, public_json);
    CHECK(rc == VEIL_OK, "a valid proof verifies against the key file's path");
    rc = veil_verify_with_keys(argv[1], proof, tampered);
    CHECK(rc == VEIL_ERR_PROOF_REJECTED, "by path, a proof for other public inputs is rejected");
    rc = veil_verify_with_keys(argv[1], "{\"system\": \"halo2\", \"proof\": \"0x00\"}", public_json);
    CHECK(rc == VEIL_ERR_MALFORMED_INPUT, "a halo2 proof against Groth16 keys is malformed input");
    rc = veil_verify_with_keys(NULL, proof, public_json);
    CHECK(rc == VEIL_ERR_MALFORMED_INPUT, "a NULL keys path is malformed input, not a crash");

    char *decoded = NULL;
    rc = veil_decode_proof(proof, public_json, &decoded);
    CHECK(rc == VEIL_OK && decoded != NULL, "the proof decodes");
    CHECK(decoded && strstr(decoded, "\"payment_hash\"") && strstr(decoded, "\"calldata_abi\":\"0x"),
          "decoded JSON names the inputs and carries calldata");
    veil_string_free(decoded);

    veil_string_free(NULL);
    free(vk);
    free(proof);
    free(public_json);
    free(tampered);
    if (failures) {
        printf("%d check(s) failed\n", failures);
        return 1;
    }
    printf("all checks passed\n");
    return 0;
}
