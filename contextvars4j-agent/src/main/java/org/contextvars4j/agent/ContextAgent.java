package org.contextvars4j.agent;

import static net.bytebuddy.matcher.ElementMatchers.declaresMethod;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isDeclaredBy;
import static net.bytebuddy.matcher.ElementMatchers.isPrivate;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.isTypeInitializer;
import static net.bytebuddy.matcher.ElementMatchers.nameEndsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.none;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;
import static net.bytebuddy.matcher.ElementMatchers.takesNoArguments;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.MemberSubstitution;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.modifier.Visibility;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.scaffold.MethodGraph;
import net.bytebuddy.implementation.FieldAccessor;
import net.bytebuddy.implementation.bytecode.StackManipulation;
import net.bytebuddy.implementation.bytecode.assign.InstanceCheck;
import net.bytebuddy.implementation.bytecode.member.MethodVariableAccess;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;
import org.contextvars4j.agent.bootstrap.AgentBridge;
import org.contextvars4j.agent.bootstrap.Captures;

/**
 * The contextvars4j Java agent: {@code java -javaagent:contextvars4j-agent.jar -jar app.jar}
 * makes plain JDK asynchronous code follow the propagation rules of contextvars4j, as the
 * explicit wrappers do ({@code ContextExecutors}, {@code ContextCompletableFuture},
 * {@code ContextRecursiveTask}).
 *
 * <h2>What it instruments</h2>
 * <ul>
 *   <li>{@code ThreadPoolExecutor} and {@code ScheduledThreadPoolExecutor}, every method (P2):
 *       a task captures the submitter's context when it is handed over, and each run (each run of
 *       a periodic task) gets a fresh copy of it; the worker is left as it was;</li>
 *   <li>{@code ForkJoinTask}, so every fork/join task, the common pool and parallel streams (P5):
 *       a task captures the context it is created in, and again when it is forked;</li>
 *   <li>{@code CompletableFuture} (P4): every stage runs in the context current when it was
 *       registered, also when the thread that completes the future runs it;</li>
 *   <li>thread-per-task executors, such as {@code Executors.newVirtualThreadPerTaskExecutor()}
 *       (JDK 21+), and {@code StructuredTaskScope.fork} (JDK 25);</li>
 *   <li>{@code java.util.Timer}: a task captures the context it is scheduled in, each run a
 *       fresh copy.</li>
 * </ul>
 * New threads still start empty (P1). The agent reaches the application's contextvars4j core
 * through a hook on the bootstrap class path ({@link AgentBridge}); until the core is loaded,
 * nothing is propagated. See {@code docs/agent.md} for the options and the limits.
 */
public final class ContextAgent {

    /** The system property the agent sets at start-up, so that an application can check it is active. */
    public static final String ACTIVE_PROPERTY = "contextvars4j.agent";

    private static final String HOOK = "META-INF/contextvars4j-agent/AgentContextHook.class";
    private static final String HOOK_SNAPSHOT = "META-INF/contextvars4j-agent/AgentContextHook$Snapshot.class";
    private static final String[] BOOTSTRAP_CLASSES = {
        "AgentBridge", "AgentBridge$1", "Captures", "CapturedCallable", "CapturedRunnable", "ContextHook",
    };

    private ContextAgent() {
    }

    /**
     * The agent's entry point, called by the JVM before {@code main}.
     *
     * @param args the agent's options (see {@code docs/agent.md}), or null
     * @param inst the JVM's instrumentation
     */
    public static void premain(String args, Instrumentation inst) {
        AgentOptions options = AgentOptions.parse(args);
        // The relocated ByteBuddy reads this under its relocated name (the shade plugin rewrites
        // the literal): the agent injects no class through Unsafe, so ByteBuddy need not touch it
        // (on JDK 24+ that would print a deprecation warning).
        if (System.getProperty("net.bytebuddy.safe") == null) {
            System.setProperty("net.bytebuddy.safe", "true");
        }
        inst.appendToBootstrapClassLoaderSearch(bootstrapJar());
        // ForkJoinTask and TimerTask (java.base) are defined implementing Captures, which is in the
        // boot class path's unnamed module: java.base must read it first, or their definition fails
        // with an IllegalAccessError when they are the first JDK classes the agent transforms (an
        // application whose main class names a RecursiveTask loads ForkJoinTask while it is linked).
        inst.redefineModule(Object.class.getModule(), Set.of(Captures.class.getModule()), Map.of(), Map.of(),
                Set.of(), Map.of());
        AgentBridge.configure(new CoreInstaller(inst), options.excludes);
        Report report = new Report(options.verbose);
        installTaskFields(inst, report);
        installAdvice(inst, report);
        if (options.inheritThreadContext) {
            installThreadInheritance(inst, report);
        }
        System.setProperty(ACTIVE_PROPERTY, "active");
    }

    /**
     * Fields on ForkJoinTask: a field can only be added while a class is defined, so this builder
     * does not retransform (a task class already loaded before the agent is reported and skipped).
     */
    private static void installTaskFields(Instrumentation inst, Report report) {
        for (Class<?> loaded : inst.getAllLoadedClasses()) {
            if (loaded.getName().equals("java.util.concurrent.ForkJoinTask")) {
                report.skipped(loaded.getName(), "already loaded before the agent started; fork/join tasks and"
                        + " CompletableFuture stages are not propagated", null);
            } else if (loaded.getName().equals("java.util.TimerTask")) {
                report.skipped(loaded.getName(), "already loaded before the agent started; java.util.Timer tasks"
                        + " are not propagated", null);
            }
        }
        new AgentBuilder.Default()
                .with(AgentBuilder.RedefinitionStrategy.DISABLED)
                .with(AgentBuilder.TypeStrategy.Default.REDEFINE)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(report)
                .ignore(none())
                .type(named("java.util.concurrent.ForkJoinTask"))
                .transform((builder, type, loader, module, domain) -> builder
                        .defineField("contextvars4j$captured", Object.class, Visibility.PRIVATE)
                        .implement(Captures.class)
                        .intercept(FieldAccessor.ofField("contextvars4j$captured"))
                        .visit(Advice.withCustomMapping().bind(Advices.IsCompletion.class, isCompletion(), boolean.class)
                                .to(Advices.CaptureTask.class).on(isConstructor()))
                        .visit(Advice.to(Advices.Capture.class).on(named("fork")))
                        .visit(Advice.to(Advices.RunCaptured.class).on(named("doExec"))))
                .type(named("java.util.TimerTask"))
                .transform((builder, type, loader, module, domain) -> builder
                        .defineField("contextvars4j$captured", Object.class, Visibility.PRIVATE)
                        .implement(Captures.class)
                        .intercept(FieldAccessor.ofField("contextvars4j$captured")))
                .installOn(inst);
    }

    /**
     * An agent builder for advice only (no new members), so classes already loaded are
     * retransformed too. Advice goes on declared methods only: ByteBuddy need not build a class's
     * method graph, which would resolve every interface another agent gave the class
     * (OpenTelemetry's agent adds marker interfaces that have no class file to read).
     */
    private static AgentBuilder.Ignored adviceOnly(Report report) {
        return new AgentBuilder.Default(new ByteBuddy().with(MethodGraph.Compiler.ForDeclaredMethods.INSTANCE))
                .disableClassFormatChanges()
                .with(AgentBuilder.TypeStrategy.Default.DECORATE)
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(report)
                .ignore(nameStartsWith("org.contextvars4j.agent."));
    }

    /** The JDK's executors, futures, fork/join, timers and structured scopes, and the core's storage. */
    private static void installAdvice(Instrumentation inst, Report report) {
        adviceOnly(report)
                .type(named("java.util.concurrent.ThreadPoolExecutor"))
                .transform((builder, type, loader, module, domain) -> builder
                        .visit(Advice.to(Advices.Execute.class).on(named("execute").and(takesArguments(Runnable.class))))
                        .visit(Advice.to(Advices.ShutdownNow.class).on(named("shutdownNow").and(takesNoArguments())))
                        .visit(Advice.to(Advices.Remove.class).on(named("remove").and(takesArguments(Runnable.class)))))
                .type(named("java.util.concurrent.FutureTask"))
                .transform((builder, type, loader, module, domain) -> builder
                        .visit(Advice.to(Advices.FutureTaskCreated.class).on(isConstructor())))
                .type(nameStartsWith("java.util.concurrent.CompletableFuture$")
                        .and(not(named("java.util.concurrent.CompletableFuture$Signaller")))
                        .and(declaresMethod(named("tryFire").and(not(isAbstract())))
                                .or(named("java.util.concurrent.CompletableFuture$AsyncSupply"))
                                .or(named("java.util.concurrent.CompletableFuture$AsyncRun"))))
                .transform((builder, type, loader, module, domain) -> builder
                        .visit(Advice.to(Advices.CaptureCompletion.class).on(isConstructor()
                                .and(m -> !declaredByAsyncTask(m))))
                        .visit(Advice.to(Advices.RunCaptured.class).on(named("tryFire").and(not(isAbstract()))
                                .or(named("run").and(takesNoArguments()).and(not(isAbstract()))
                                        .and(ContextAgent::declaredByAsyncTask)))))
                .type(named("java.util.concurrent.CompletableFuture"))
                .transform((builder, type, loader, module, domain) -> builder
                        .visit(Advice.to(Advices.RegisterStage.class).on(runsStageNow(type))))
                .type(named("java.util.Timer"))
                .transform((builder, type, loader, module, domain) -> builder
                        .visit(Advice.to(Advices.Schedule.class).on(named("sched"))))
                .type(named("java.util.TimerThread"))
                .transform((builder, type, loader, module, domain) -> builder
                        .visit(MemberSubstitution.relaxed()
                                .method(named("run").and(takesNoArguments())
                                        .and(isDeclaredBy(named("java.util.TimerTask"))))
                                .replaceWith(runTimerTask())
                                .on(named("mainLoop"))))
                .type(named("java.util.concurrent.StructuredTaskScopeImpl"))
                .transform((builder, type, loader, module, domain) -> builder
                        .visit(Advice.to(Advices.Fork.class).on(named("fork")
                                .and(takesArguments(java.util.concurrent.Callable.class)))))
                .type(named("java.util.concurrent.ThreadPerTaskExecutor"))
                .transform((builder, type, loader, module, domain) -> builder
                        .visit(Advice.to(Advices.Execute.class).on(named("newThread").and(takesArguments(Runnable.class)))))
                .type(named("org.contextvars4j.Storage"))
                .transform((builder, type, loader, module, domain) -> builder
                        .visit(Advice.to(Advices.CoreLoaded.class).on(isTypeInitializer())))
                .installOn(inst);
    }

    /**
     * The inheritThreadContext option: {@code start()} captures, the new thread's {@code run}
     * enters a copy. A {@code Thread} subclass that overrides {@code run()} without calling
     * {@code super.run()} is not reached (docs/agent.md).
     */
    private static void installThreadInheritance(Instrumentation inst, Report report) {
        adviceOnly(report)
                .type(named("java.lang.Thread"))
                .transform((builder, type, loader, module, domain) -> builder
                        .visit(Advice.to(Advices.ThreadStart.class).on(named("start").and(takesNoArguments())))
                        .visit(Advice.to(Advices.ThreadRun.class).on(named("run").and(takesNoArguments()))))
                .type(named("java.lang.VirtualThread"))
                .transform((builder, type, loader, module, domain) -> builder
                        .visit(Advice.to(Advices.ThreadStart.class).on(named("start").and(takesNoArguments())))
                        .visit(Advice.to(Advices.ThreadRun.class).on(named("run")
                                .and(takesArguments(Runnable.class)))))
                .installOn(inst);
    }

    /**
     * The {@code CompletableFuture} methods that may run a stage's function on the registering
     * thread, right away, because its source is complete already; the advice runs them in a copy
     * of the registering context (P4). A stage that is pushed instead runs later through its
     * completion's {@code tryFire}, which carries its own capture.
     *
     * <p>{@code thenApply}, {@code thenAccept}, {@code thenRun} and the {@code *Either} forms (the
     * most common stages) run their function now only in {@code uniApplyNow},
     * {@code uniAcceptNow} or {@code uniRunNow} (JDK 9 and later): the advice goes there, so that
     * registering such a stage on a future not yet complete costs nothing beyond the completion's
     * capture. Every other stage kind runs its function now inside its private {@code *Stage}
     * method (or a helper it calls with no completion, also called from {@code tryFire}), so the
     * whole registration runs in the copy. A JDK without one of those {@code *Now} methods keeps
     * the whole registration of its stages in the copy too.
     */
    private static ElementMatcher.Junction<MethodDescription> runsStageNow(TypeDescription type) {
        ElementMatcher.Junction<MethodDescription> registrations = isPrivate().and(not(isStatic()))
                .and(nameEndsWith("Stage")).and(not(named("uniCopyStage")));
        ElementMatcher.Junction<MethodDescription> runsNow = none();
        for (String kind : new String[] {"Apply", "Accept", "Run"}) {
            String now = "uni" + kind + "Now";
            if (!type.getDeclaredMethods().filter(named(now).and(isPrivate())).isEmpty()) {
                registrations = registrations.and(not(named("uni" + kind + "Stage").or(named("or" + kind + "Stage"))));
                runsNow = runsNow.or(named(now));
            }
        }
        return registrations.or(runsNow);
    }

    /**
     * {@code this instanceof CompletableFuture.Completion}, for {@code ForkJoinTask}'s constructor
     * ({@link Advices.CaptureTask}). The type is named, not loaded: loading it here would load
     * {@code ForkJoinTask} before the agent adds its field.
     */
    private static StackManipulation isCompletion() {
        TypeDescription completion = new TypeDescription.Latent("java.util.concurrent.CompletableFuture$Completion",
                Opcodes.ACC_ABSTRACT | Opcodes.ACC_STATIC, TypeDescription.Generic.OfNonGenericType.ForLoadedType.of(Object.class));
        return new StackManipulation.Compound(MethodVariableAccess.loadThis(), InstanceCheck.of(completion));
    }

    private static java.lang.reflect.Method runTimerTask() {
        try {
            return AgentBridge.class.getMethod("runTimerTask", Object.class);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("the contextvars4j agent's bootstrap classes do not match it", e);
        }
    }

    private static boolean declaredByAsyncTask(MethodDescription m) {
        String owner = m.getDeclaringType().asErasure().getName();
        return owner.equals("java.util.concurrent.CompletableFuture$AsyncSupply")
                || owner.equals("java.util.concurrent.CompletableFuture$AsyncRun");
    }

    /** Writes the bootstrap classes, read from this jar, to a temporary jar the JVM appends to its boot class path. */
    private static JarFile bootstrapJar() {
        try {
            Path jar = Files.createTempFile("contextvars4j-agent-bootstrap", ".jar");
            jar.toFile().deleteOnExit();
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
                for (String name : BOOTSTRAP_CLASSES) {
                    String path = "org/contextvars4j/agent/bootstrap/" + name + ".class";
                    out.putNextEntry(new JarEntry(path));
                    out.write(resource(path));
                    out.closeEntry();
                }
            }
            return new JarFile(jar.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the contextvars4j agent's bootstrap jar", e);
        }
    }

    static byte[] resource(String path) throws IOException {
        try (InputStream in = ContextAgent.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IOException("the contextvars4j agent jar has no " + path);
            }
            return in.readAllBytes();
        }
    }

    /** Reports each class that cannot be instrumented once, and, when verbose, each one instrumented. */
    private static final class Report extends AgentBuilder.Listener.Adapter {
        private final boolean verbose;
        private final Set<String> reported = ConcurrentHashMap.newKeySet();

        Report(boolean verbose) {
            this.verbose = verbose;
        }

        @Override
        public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module, boolean loaded,
                DynamicType dynamicType) {
            if (verbose) {
                System.err.println("contextvars4j agent: instrumented " + type.getName());
            }
        }

        @Override
        public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable error) {
            skipped(typeName, "cannot be instrumented", error);
        }

        void skipped(String typeName, String why, Throwable error) {
            if (reported.add(typeName)) {
                System.err.println("contextvars4j agent: " + typeName + " skipped: " + why
                        + (error == null ? "" : " (" + error + ")"));
                if (verbose && error != null) {
                    error.printStackTrace();
                }
            }
        }
    }

    /** Defines the hook in the class loader of the first contextvars4j core that is initialized. */
    private static final class CoreInstaller implements java.util.function.Consumer<Class<?>> {
        private final Instrumentation inst;

        CoreInstaller(Instrumentation inst) {
            this.inst = inst;
        }

        @Override
        public void accept(Class<?> storage) {
            if (AgentBridge.isActive()) {
                System.err.println("contextvars4j agent: a second contextvars4j core in " + storage.getClassLoader()
                        + " is not propagated; the first one found keeps the agent");
                return;
            }
            try {
                Module core = storage.getModule();
                if (core.isNamed()) {
                    inst.redefineModule(core, Set.of(AgentBridge.class.getModule()), Map.of(),
                            Map.of(storage.getPackageName(), Set.of(ContextAgent.class.getModule())),
                            Set.of(), Map.of());
                }
                java.lang.invoke.MethodHandles.Lookup lookup =
                        java.lang.invoke.MethodHandles.privateLookupIn(storage, java.lang.invoke.MethodHandles.lookup());
                Class<?> hook = lookup.defineClass(resource(HOOK));
                lookup.defineClass(resource(HOOK_SNAPSHOT));
                Object instance = lookup.findConstructor(hook, java.lang.invoke.MethodType.methodType(void.class))
                        .invoke();
                AgentBridge.publish((org.contextvars4j.agent.bootstrap.ContextHook) instance);
            } catch (Throwable e) {
                System.err.println("contextvars4j agent: cannot reach the contextvars4j core in "
                        + storage.getClassLoader() + "; nothing is propagated (" + e + ")");
            }
        }
    }
}
