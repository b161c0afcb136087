package org.fspo.train.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fspo.train.io.ModelFolderFiles;
import org.fspo.train.io.SafeTensors.DType;
import org.fspo.train.io.SaveFormat;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What GPT-2 and Llama share around their transformer stacks: the batch layout (with prefix sharing), the fused
 * log-prob head, gradient bookkeeping, logits, decoding and saving. A family supplies the stack itself
 * ({@link #hidden}, {@link #backwardHidden}) and its names.
 */
public abstract class TransformerLm implements CausalLm {
  protected static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  protected final LinkedHashMap<String, INDArray> params;
  private final Map<String, DType> dtypes;
  private ModelFolderFiles source; // set by Models.load: what a save writes back besides the weights
  private boolean prefixSharing = true;
  private static final java.util.concurrent.atomic.AtomicLong INSTANCES = new java.util.concurrent.atomic.AtomicLong();
  // per model, so a reference model never clobbers ours
  private final String forwardWorkspace, backwardWorkspace, layerWorkspace;
  private long forwardCount;
  private MemoryWorkspace pendingForward; // open but not current between forward and backward: keeps activations valid
  private Adapter adapter; // LoRA; null: the plain model. While set, only the adapter trains (the base is frozen)
  private boolean checkpointing; // activation recomputation: the forward pass keeps only each block's input
  private int headChunk; // LM head rows per chunk; 0: LogProbHead.chunkRows(V)

  protected TransformerLm(LinkedHashMap<String, INDArray> params, Map<String, DType> dtypes) {
    this.params = params;
    this.dtypes = dtypes;
    long id = INSTANCES.incrementAndGet();
    forwardWorkspace = "fspo-forward-" + id;
    backwardWorkspace = "fspo-backward-" + id;
    layerWorkspace = "fspo-backward-layer-" + id;
  }

  /** Runs the stack; returns the final-norm hidden states [R * Lq, C]. Appends backward state to caches if given. */
  protected abstract INDArray hidden(Pass pass, List<Object> caches);

  /** Back-propagates dLoss/dhidden [R * Lq, C] through the stack, accumulating into grads; releases the caches. */
  protected abstract void backwardHidden(Pass pass, List<Object> caches, INDArray dHidden,
      Map<String, INDArray> grads);

  /** HF name of the LM head weight [V, C] (the embedding when tied). */
  protected abstract String headName();

  protected abstract ObjectNode configJson();

  /** Run chosen/rejected pairs sharing a common prompt once per pair (default on); see {@link Layout}. */
  public void setPrefixSharing(boolean on) {
    prefixSharing = on;
  }

  /**
   * Activation recomputation (train.activation_checkpointing): a training forward pass keeps only each block's
   * input, and the backward pass recomputes the block's activations from it, layer by layer, in the scratch memory
   * of one layer. Same gradients (the same arithmetic runs twice), about one more forward pass of time.
   */
  public void setActivationCheckpointing(boolean on) {
    checkpointing = on;
  }

  /** Whether a training forward pass keeps each block's input only (a family's {@link #hidden} asks). */
  protected final boolean checkpointing() {
    return checkpointing;
  }

  /** LM head rows per chunk (tests force small chunks; 0 restores {@link LogProbHead#chunkRows}). */
  void setHeadChunkRows(int rows) {
    headChunk = rows;
  }

  /** The trainable tensors: the model's own, or only the adapter's while one is attached. */
  @Override
  public LinkedHashMap<String, INDArray> parameters() {
    return adapter == null ? params : adapter.parameters();
  }

  /** The model's own weights by HF name (frozen while an adapter is attached); {@link #save} writes these. */
  public LinkedHashMap<String, INDArray> weights() {
    return params;
  }

  /** Attaches an adapter (null detaches it): forward passes add it, backward returns only its gradients. */
  public void setAdapter(Adapter adapter) {
    this.adapter = adapter;
  }

  public Adapter adapter() {
    return adapter;
  }

  /** Whether name gets a gradient: every weight without an adapter; with one, none of the frozen base's. */
  protected final boolean trains(String name) {
    return adapter == null || adapter.parameters().containsKey(name);
  }

  /** LoRA hook at a projection site: y [N, out] = the projection of x [N, in]; returns y plus the adapter's part. */
  protected final INDArray adapt(String module, INDArray x, INDArray y) {
    return adapter == null ? y : adapter.forward(module, x, y);
  }

  /** LoRA hook in the backward pass of a projection site: dx [N, in] += the adapter's part; its gradients to grads. */
  protected final void adaptBackward(String module, INDArray x, INDArray dy, INDArray dx, Map<String, INDArray> grads) {
    if (adapter != null) adapter.backward(module, x, dy, dx, (name, g) -> accumulate(grads, name, g));
  }

  protected INDArray param(String name) {
    INDArray p = params.get(name);
    if (p == null) throw new IllegalStateException("missing parameter " + name);
    return p;
  }

  /** Backward state of one training forward pass; valid until the next forward pass of this model. */
  private record StepCache(Layout layout, Pass pass, List<Object> caches, LogProbHead.Cache head, long number) {}

  /**
   * {@inheritDoc} The activations live in this model's forward workspace, so call {@link #backward} before the next
   * {@code forward} of the same model (other models, logits and decoding do not interfere).
   */
  @Override
  public Forward forward(TokenBatch batch) {
    closePendingForward();
    MemoryWorkspace outer = Nd4j.getMemoryManager().getCurrentWorkspace();
    MemoryWorkspace ws = Workspaces.open(forwardWorkspace);
    try {
      Forward f = forwardInWorkspace(batch);
      pendingForward = ws;
      return f;
    } catch (RuntimeException e) {
      ws.close();
      throw e;
    } finally {
      Nd4j.getMemoryManager().setCurrentWorkspace(outer); // the caller allocates outside our workspace
    }
  }

  /** Ends the scope of the last forward pass's workspace; its arrays are invalid from here on. */
  private void closePendingForward() {
    if (pendingForward == null) return;
    MemoryWorkspace outer = Nd4j.getMemoryManager().getCurrentWorkspace();
    Nd4j.getMemoryManager().setCurrentWorkspace(pendingForward);
    pendingForward.close();
    pendingForward = null;
    Nd4j.getMemoryManager().setCurrentWorkspace(outer);
  }

  private Forward forwardInWorkspace(TokenBatch batch) {
    Layout layout = prefixSharing ? Layout.sharedPrefix(batch) : Layout.plain(batch);
    Pass pass = Pass.of(layout);
    if (adapter != null) adapter.beginForward(); // LoRA dropout: this pass's masks
    List<Object> caches = new ArrayList<>();
    INDArray h = trainingPass(() -> hidden(pass, caches));
    LogProbHead.Cache[] head = new LogProbHead.Cache[1];
    INDArray w = param(headName());
    int chunk = headChunk > 0 ? headChunk : LogProbHead.chunkRows(w.size(0));
    double[] logp = LogProbHead.forward(h, layout.scoreFlat(), layout.scoreTarget(), w, chunk, head);
    Ops.close(h);
    double[] seq = new double[layout.numSeqs()];
    for (int n = 0; n < logp.length; n++) seq[layout.scoreSeq()[n]] += logp[n];
    return new Forward(seq, layout.responseTokens(), new StepCache(layout, pass, caches, head[0], ++forwardCount));
  }

  /**
   * Log-probs only (a frozen reference): {@link #forward} as activation checkpointing runs it, each block in the
   * reused layer scratch memory, only block inputs kept; the same log-probs bit for bit, in one layer's memory.
   */
  public Forward score(TokenBatch batch) {
    boolean was = checkpointing;
    checkpointing = true;
    try {
      Forward f = forward(batch);
      return new Forward(f.seqLogps(), f.responseTokens(), null);
    } finally {
      checkpointing = was;
    }
  }

  /** {@inheritDoc} The gradients are ordinary arrays (not in a workspace), owned by the caller. */
  @Override
  public Map<String, INDArray> backward(Forward forward, double[] dLossDSeqLogp) {
    if (!(forward.cache() instanceof StepCache c) || c.number() != forwardCount || c.caches().isEmpty()) {
      throw new IllegalStateException("backward needs the cache of this model's latest forward pass, used once");
    }
    try (MemoryWorkspace ws = Workspaces.open(backwardWorkspace)) {
      return backwardInWorkspace(c, dLossDSeqLogp);
    } finally {
      closePendingForward();
    }
  }

  private Map<String, INDArray> backwardInWorkspace(StepCache c, double[] dLossDSeqLogp) {
    double[] dLogp = new double[c.layout().scoreSeq().length];
    for (int n = 0; n < dLogp.length; n++) dLogp[n] = dLossDSeqLogp[c.layout().scoreSeq()[n]];
    INDArray head = param(headName());
    Map<String, INDArray> grads = adapter == null ? new LinkedHashMap<>() : new TrainableGrads(parameters().keySet());
    INDArray dHead = adapter != null ? null : Nd4j.zeros(head.dataType(), head.shape()); // frozen: not computed
    if (dHead != null) grads.put(headName(), dHead);
    INDArray dHidden = LogProbHead.backward(c.head(), dLogp, head, dHead, c.pass().tokens());
    trainingPass(() -> {
      backwardHidden(c.pass(), c.caches(), dHidden, grads);
      return null;
    });
    Ops.close(c.pass().mask());
    LinkedHashMap<String, INDArray> ordered = new LinkedHashMap<>();
    for (String name : parameters().keySet()) {
      INDArray g = grads.get(name);
      if (g == null) throw new IllegalStateException("no gradient computed for " + name);
      ordered.put(name, g.isAttached() ? g.detach() : g);
    }
    return ordered;
  }

  /** Runs body as part of a training pass: the adapter (LoRA dropout) knows it; logits and decoding are not. */
  private <T> T trainingPass(java.util.function.Supplier<T> body) {
    if (adapter == null) return body.get();
    adapter.inTrainingPass(true);
    try {
      return body.get();
    } finally {
      adapter.inTrainingPass(false);
    }
  }

  /**
   * Runs one layer's backward pass in a scratch workspace that the next layer reuses, so the backward pass needs the
   * memory of one layer, not of all; the returned gradient w.r.t. the layer input is copied out to the caller's scope.
   */
  protected INDArray layerBackward(java.util.function.Supplier<INDArray> body) {
    try (MemoryWorkspace ws = Workspaces.open(layerWorkspace)) {
      return body.get().leverageTo(backwardWorkspace);
    }
  }

  /**
   * Activation recomputation's forward step: one block run in the layer scratch workspace (its intermediates are
   * dropped when the next block reuses it); only its output is copied to the forward pass's workspace.
   */
  protected INDArray layerForward(java.util.function.Supplier<INDArray> body) {
    try (MemoryWorkspace ws = Workspaces.open(layerWorkspace)) {
      return body.get().leverageTo(forwardWorkspace);
    }
  }

  /** grads[name] += g; a new gradient is copied out of any workspace (it must outlive the layer's scratch). */
  protected static void accumulate(Map<String, INDArray> grads, String name, INDArray g) {
    if (grads instanceof TrainableGrads t && !t.trainable().contains(name)) return; // frozen: dropped with its workspace
    INDArray old = grads.get(name);
    if (old == null) {
      grads.put(name, g.isAttached() ? g.detach() : g);
    } else {
      old.addi(g);
      Ops.close(g);
    }
  }

  /**
   * {@inheritDoc} Every position's logits, [B, T, V] at once: for tests and small vocabularies. Training, scoring
   * and decoding never build them (they use {@link LogProbHead} in chunks, or the head on the last position).
   */
  @Override
  public INDArray logits(TokenBatch batch) {
    Layout layout = Layout.plain(batch);
    Pass pass = Pass.of(layout);
    INDArray h = hidden(pass, null);
    INDArray z = Ops.linear(h, param(headName())); // [B*T, V]
    Ops.close(h, pass.mask());
    return z.reshape('c', batch.batchSize(), batch.seqLen(), vocabSize());
  }

  /** The key/value cache shape of this model: {layers, kvHeads, headSize}. */
  protected abstract int[] kvShape();

  @Override
  public Decoder decoder() {
    int[] s = kvShape();
    return new KvDecoder(this, new KvCache(s[0], s[1], maxPositions(), s[2]));
  }

  /** Writes config.json and the weights in the input's dtypes ({@link Models#save}, {@link SaveFormat#defaults}). */
  @Override
  public void save(Path dir) {
    Models.save(this, dir, SaveFormat.defaults());
  }

  /** The folder this model was loaded from (its config.json tree and tokenizer files), or null if built here. */
  public ModelFolderFiles source() {
    return source;
  }

  void source(ModelFolderFiles files) {
    source = files;
  }

  /** Each parameter's dtype in the file it was read from (absent: F32). */
  Map<String, DType> dtypes() {
    return dtypes;
  }
}
