/**
 * Test-only helpers shared by the tests of the contextvars4j integration modules: the
 * {@link org.contextvars4j.testsupport.ContextLeakGuard} that every test class registers, and checks that threads
 * which ran work were left with an empty context. Not a published artifact.
 */
package org.contextvars4j.testsupport;
