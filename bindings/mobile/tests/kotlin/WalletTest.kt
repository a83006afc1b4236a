// A wallet app's calls, from Kotlin on the JVM through the generated
// bindings (JNA, as on Android): load the pinned proving key, prove a
// payment, verify and decode the proof, and get the typed exception for
// each kind of bad input. Run by bindings/mobile/tests/mobile.rs; with a
// third argument it also times that many proofs (benches/mobile/run.sh).
//
//   java -Djna.library.path=DIR -cp wallet-test.jar:jna.jar \
//       org.veil.test.WalletTestKt WALLET_DIR PIN_HEX [ROUNDS]
package org.veil.test

import java.io.File
import org.veil.VeilException
import org.veil.WalletProver
import org.veil.decodeProof
import org.veil.verifyProof

fun check(condition: Boolean, what: String) {
    if (!condition) throw AssertionError(what)
}

/** The exception `block` throws, which must be an `E`. */
inline fun <reified E : VeilException> throws(what: String, block: () -> Unit): E {
    try {
        block()
    } catch (e: VeilException) {
        if (e is E) return e
        throw AssertionError("$what: expected ${E::class.simpleName}, got ${e::class.simpleName}: ${e.message}")
    }
    throw AssertionError("$what: nothing was thrown")
}

/** The request a wallet sends `prove`: the documents of a `veil demo` directory. */
fun request(dir: File, revoked: String = "revoked.json"): String {
    fun doc(name: String) = File(dir, name).readText()
    return """{"credential":${doc("credential.json")},"holder":${doc("holder.json")},""" +
        """"policy":${doc("policy.json")},"context":${doc("context.json")},""" +
        """"issuers":${doc("issuers.json")},"revoked":${doc(revoked)}}"""
}

fun millis(start: Long) = (System.nanoTime() - start) / 1e6

fun main(args: Array<String>) {
    val dir = File(args[0])
    val pin = args[1]
    val rounds = args.getOrNull(2)?.toInt() ?: 0
    val provingKey = File(dir, "compliance.pk").readBytes()
    val verifyingKey = File(dir, "compliance.vk").readBytes()
    val payment = request(dir)

    var start = System.nanoTime()
    WalletProver.fromPinnedKeyFile(provingKey, pin).close()
    println("load pinned key from bytes: %.1f ms".format(millis(start)))
    start = System.nanoTime()
    val prover = WalletProver.fromPinnedKeyPath(File(dir, "compliance.pk").path, pin)
    println("load pinned key from its path: %.1f ms".format(millis(start)))

    start = System.nanoTime()
    val bundle = prover.prove(payment)
    println("first prove: %.1f ms".format(millis(start)))
    check(verifyProof(verifyingKey, bundle.proofJson, bundle.publicJson), "the proof verifies")
    File(dir, "kotlin-proof.json").writeText(bundle.proofJson)
    File(dir, "kotlin-public.json").writeText(bundle.publicJson)

    val decoded = decodeProof(bundle.proofJson, bundle.publicJson)
    check(decoded.calldata == bundle.calldata, "decoding gives the prover's calldata")
    check(bundle.publicJson.contains("\"${decoded.public.nullifier}\""), "the nullifier is a public input")
    check(decoded.calldataAbi.startsWith("0x"), "ABI calldata is hex")

    // Another payment's inputs: well-formed, and rejected.
    val otherPayment = bundle.publicJson.replace("\"${decoded.public.paymentHash}\"", "\"1\"")
    check(otherPayment != bundle.publicJson, "the payment hash was replaced")
    check(!verifyProof(verifyingKey, bundle.proofJson, otherPayment), "a proof for another payment is rejected")

    // Bad input: the same typed errors as every other binding.
    throws<VeilException.InvalidKey>("a truncated key") {
        WalletProver.fromKeyFile(provingKey.copyOf(provingKey.size / 2))
    }
    val tampered = provingKey.copyOf().also { it[it.size / 2] = (it[it.size / 2].toInt() xor 1).toByte() }
    throws<VeilException.InvalidKey>("a tampered key under its pin") {
        WalletProver.fromPinnedKeyFile(tampered, pin)
    }
    throws<VeilException.InvalidKey>("a tampered key, unpinned") { WalletProver.fromKeyFile(tampered) }
    throws<VeilException.InvalidKey>("a verifying key given as the proving key") {
        WalletProver.fromKeyFile(verifyingKey)
    }
    throws<VeilException.Io>("a key file that is not there") {
        WalletProver.fromPinnedKeyPath(File(dir, "missing.pk").path, pin)
    }
    throws<VeilException.MalformedInput>("a pin that is not hex") { WalletProver.fromPinnedKeyFile(provingKey, "pin") }
    throws<VeilException.MalformedInput>("a request that is not JSON") { prover.prove("{") }
    throws<VeilException.MalformedInput>("a malformed proof") { decodeProof("{}", bundle.publicJson) }
    throws<VeilException.InvalidKey>("the proving key given as the verifying key") {
        verifyProof(provingKey, bundle.proofJson, bundle.publicJson)
    }
    throws<VeilException.MalformedInput>("bytes that are neither a key file nor snarkjs JSON") {
        verifyProof(byteArrayOf(1, 2, 3), bundle.proofJson, bundle.publicJson)
    }
    val refused = throws<VeilException.WitnessRefused>("a revoked credential") {
        prover.prove(request(dir, "revoked-self.json"))
    }
    check(refused.message!!.contains("revoked"), "the refusal names the rule: ${refused.message}")

    if (rounds > 0) {
        val times = (1..rounds).map {
            val t = System.nanoTime()
            prover.prove(payment)
            millis(t)
        }.sorted()
        println("kotlin prove, median of $rounds: %.1f ms (min %.1f, max %.1f)".format(times[rounds / 2], times.first(), times.last()))
    }
    prover.close()
    println("kotlin wallet test: ok")
}
