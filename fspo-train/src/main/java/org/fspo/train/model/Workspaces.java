package org.fspo.train.model;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J workspaces for a training step: every array a forward (or backward) pass allocates comes from one block of
 * off-heap memory that is learnt on the first step and reused on every later one, so there is no malloc, no page
 * faulting and no garbage-collector-driven growth step after step. An array allocated in a workspace is valid until
 * that workspace is opened again; anything that must outlive it is copied out with {@code detach()}.
 */
final class Workspaces {
  private static final WorkspaceConfiguration CONF = WorkspaceConfiguration.builder()
      .initialSize(0)
      .overallocationLimit(0.05)
      .policyAllocation(AllocationPolicy.OVERALLOCATE)
      .policyLearning(LearningPolicy.FIRST_LOOP) // size the block from the first step ...
      .policySpill(SpillPolicy.REALLOCATE) // ... and grow it when a longer batch needs more
      .policyReset(ResetPolicy.BLOCK_LEFT)
      .build();

  private Workspaces() {}

  /** Activates the named workspace on this thread; close it to leave. */
  static MemoryWorkspace open(String id) {
    return Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONF, id);
  }
}
