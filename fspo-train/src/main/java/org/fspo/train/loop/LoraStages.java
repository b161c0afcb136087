package org.fspo.train.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fspo.core.FspoUserException;
import org.fspo.train.checkpoint.TrainerState;
import org.fspo.train.io.ModelWeights;
import org.fspo.train.model.CausalLm;
import org.fspo.train.model.Decoder;
import org.fspo.train.model.Models;
import org.fspo.train.model.TokenBatch;
import org.fspo.train.model.TransformerLm;
import org.fspo.train.model.lora.LoraAdapter;
import org.fspo.train.model.lora.LoraAdapters;
import org.fspo.train.model.lora.PeftFiles;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the {@link Trainer} does differently with {@code train.lora.enabled} (issue 10), kept out of its loop:
 *
 * <pre>
 *   stage 1  base = init/          + fresh adapter A1 (trains)  -> merge: sft/ = base + s B1 A1
 *   stage 2  base = sft/ (frozen)  + fresh adapter A2 (trains)  -> final/ = PEFT folder of A2 on sft/
 *            reference log-probs   = the same model with A2 detached ({@link #adapterOff}): no second model
 * </pre>
 *
 * Each stage's adapter starts from PEFT's init (A Kaiming-uniform, B zero, so the stage starts at its base) with a
 * seed of (run seed, stage); on resume it is then overwritten by the checkpoint's. The optimizer sees only
 * {@code model.parameters()}, which are the adapter's while one is attached, so it keeps state only for them.
 */
final class LoraStages {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LoraStages() {}

  /** The model as a {@link TransformerLm} (what adapters attach to); a user error for any other model. */
  static TransformerLm adaptable(CausalLm model) {
    if (model instanceof TransformerLm t) return t;
    throw new FspoUserException("train.lora.enabled needs a gpt2 or llama model, got " + model.family(),
        FspoUserException.CONFIG);
  }

  /** Attaches the stage's fresh PEFT-initialised adapter (the model must have none). */
  static void attachFresh(TransformerLm model, LoraSettings lora, long seed, String stage) {
    if (model.adapter() != null) throw new IllegalStateException("an adapter is attached already");
    LoraAdapters.init(model, lora.toLoraConfig(), seed * 31 + (stage.equals(TrainerState.SFT) ? 1 : 2));
  }

  /**
   * LoRA dropout for one optimizer step (step &gt;= 0): the adapter's masks are keyed by (seed, stage, step), so a
   * resumed run draws what an uninterrupted one drew; step &lt; 0 turns it off again (scoring and eval never drop).
   * A no-op for a model without a LoRA adapter.
   */
  static void dropout(CausalLm model, long seed, String stage, long step) {
    if (!(model instanceof TransformerLm t && t.adapter() instanceof LoraAdapter a)) return;
    if (step < 0) {
      a.eval();
    } else {
      a.trainStep(seed * 1_000_003L + Trainer.stream(stage, 0) * 7_919L + step);
    }
  }

  /**
   * Whether every tensor of dir/model.safetensors is F32, read from the header alone: then saving lost nothing, and
   * the model just saved equals the file bit for bit, so stage 2 need not re-read it (which would briefly hold a
   * second copy of the base). Any other dtype (BF16 rounding) or an unreadable header: false, and the file is read.
   */
  static boolean allF32(Path dir) {
    try (FileChannel ch = FileChannel.open(dir.resolve("model.safetensors"), StandardOpenOption.READ)) {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      if (ch.read(len, 0) != 8) return false;
      long n = len.flip().getLong();
      if (n <= 0 || n > 100_000_000L) return false;
      ByteBuffer header = ByteBuffer.allocate((int) n);
      while (header.hasRemaining()) {
        if (ch.read(header, 8 + header.position()) < 0) return false;
      }
      JsonNode root = JSON.readTree(header.array());
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getKey().equals("__metadata__") && !e.getValue().path("dtype").asText().equals("F32")) return false;
      }
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Whether final/ holds a finished run's policy: a full model, or (LoRA) a PEFT adapter on sft/. */
  static boolean finished(RunLayout run) {
    return ModelWeights.present(run.finalModel()) // model.safetensors or a sharded index
        || Files.isRegularFile(run.finalModel().resolve(PeftFiles.WEIGHTS));
  }

  /** Whether final/ is a LoRA run's adapter folder rather than a full model. */
  static boolean isAdapter(Path finalDir) {
    return Files.isRegularFile(finalDir.resolve(PeftFiles.CONFIG));
  }

  /** A finished run's policy: final/'s full model, or sft/ with final/'s adapter attached (base + adapter). */
  static TransformerLm loadPolicy(RunLayout run) {
    if (!isAdapter(run.finalModel())) return Models.load(run.finalModel());
    return LoraAdapters.apply(Models.load(run.sft()), run.finalModel());
  }

  /**
   * The policy with its adapter detached, as a scoring-only model: FSPO's reference with LoRA is the merged sft/
   * model, which is the policy's own base. RefLogpCache calls it before the step's policy forward (a forward pass
   * ends the scope of the model's previous one); it has no backward.
   */
  static CausalLm adapterOff(TransformerLm policy) {
    return new CausalLm() {
      @Override
      public String family() {
        return policy.family();
      }

      @Override
      public int vocabSize() {
        return policy.vocabSize();
      }

      @Override
      public int maxPositions() {
        return policy.maxPositions();
      }

      @Override
      public LinkedHashMap<String, INDArray> parameters() {
        return policy.weights();
      }

      @Override
      public INDArray logits(TokenBatch batch) {
        return LoraAdapters.withoutAdapter(policy, () -> policy.logits(batch));
      }

      @Override
      public Forward forward(TokenBatch batch) {
        return LoraAdapters.withoutAdapter(policy, () -> policy.score(batch)); // log-probs only: keeps no activations
      }

      @Override
      public Map<String, INDArray> backward(Forward forward, double[] dLossDSeqLogp) {
        throw new UnsupportedOperationException("the LoRA reference is frozen");
      }

      @Override
      public Decoder decoder() {
        throw new UnsupportedOperationException("the LoRA reference does not decode");
      }

      @Override
      public void save(Path dir) {
        policy.save(dir); // the base weights: save() writes the model's own tensors, never the adapter
      }
    };
  }
}
