package io.kulp.engine;

import java.util.List;

/**
 * kulp's engine as the ulp CLI and the node agent use it: read a process, and make operations on
 * it. {@link PtraceEngine} is the real one; the agent's tests use a fake.
 */
public interface Engine extends AutoCloseable {

  /**
   * Reads process {@code pid}: its maps, its runtime and the patches the runtime has applied,
   * without stopping or signalling anything.
   *
   * @throws EngineException when it has no runtime ({@link Reason#NO_RUNTIME}), is gone
   *     ({@link Reason#GONE}), or cannot be read (the message says why)
   */
  ProcessState read(int pid) throws EngineException;

  /**
   * Makes {@code ops} on the process {@code state} was read from by this engine, in order, all on
   * one thread (ptrace needs it); one result per operation. The caller waits at most the engine's
   * time limit, whatever the process does. The process is not read again: the runtime checks what
   * may have changed since.
   */
  List<OperationResult> run(ProcessState state, List<Operation> ops);

  /** Reads process {@code pid}, then makes {@code ops}; a process that cannot be read gets a result per operation saying why. */
  List<OperationResult> run(int pid, List<Operation> ops);

  /** The runtime's message ring of a process, oldest first. */
  List<RuntimeMessage> messages(int pid) throws EngineException;

  @Override
  void close();
}
