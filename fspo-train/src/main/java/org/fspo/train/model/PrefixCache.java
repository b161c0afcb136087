package org.fspo.train.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Keys and values of prompt prefixes already computed, for later prompts that start with the same tokens (automatic
 * prefix caching, as vLLM's; SGLang's RadixAttention is the same idea as a tree). A served user's shots are the same
 * from one request to the next, and they are most of the prompt, so their keys and values need not be recomputed.
 *
 * <p>A prompt is cut into blocks of {@link #BLOCK} tokens. A block is keyed by its tokens and by the block before it,
 * so it matches only after the very same prefix: the lookup is exact (keys compare token arrays; no hash can
 * collide). Blocks are copied into and out of a {@link BatchedKvCache} slot (no shared pages, so no reference
 * counts); the least recently used are evicted beyond a byte budget. Keys and values depend only on the tokens at and
 * before them (causal attention), so a reused block holds what recomputing it would give, up to the last bit a BLAS
 * may round differently for a different batch shape. Not thread-safe: the decode thread owns it.
 *
 * <p>Shapes: L layers, nkv key/value heads, B tokens per block, hs head size; a block holds per layer k and v
 * [nkv, B, hs] as flat float arrays.
 */
public final class PrefixCache {
  /** Tokens per block (vLLM's default block size). */
  public static final int BLOCK = 16;

  /** A block's identity: the block before it (0 for the first) and its own tokens. */
  private record Key(long parent, int[] tokens) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.parent == parent && Arrays.equals(k.tokens, tokens);
    }

    @Override
    public int hashCode() {
      return 31 * Long.hashCode(parent) + Arrays.hashCode(tokens);
    }
  }

  /** One cached block: per layer k and v [nkv * B * hs]. */
  public record Block(long id, float[][] k, float[][] v) {}

  /** Counters since creation: prompt tokens looked up, tokens served from cache, blocks now held, bytes, evictions. */
  public record Stats(long lookedUp, long reused, int blocks, long bytes, long evicted) {}

  /** Reads a block's keys and values out of wherever the prompt was just computed. */
  public interface BlockSource {
    /** Fills k[l], v[l] ([nkv * B * hs] each, per layer l) with tokens [start, start + B) of the prompt. */
    void read(int start, float[][] k, float[][] v);
  }

  // insertion order, a use re-inserts: least recently used first, and a lookup can peek without reordering
  private final LinkedHashMap<Key, Block> blocks = new LinkedHashMap<>();
  private final int layers, floatsPerLayer;
  private final long blockBytes, budget;
  private long nextId = 1, lookedUp, reused, evicted;

  /** A cache of at most {@code budgetBytes} of blocks for a model of the given layers and kv shape. */
  public PrefixCache(int layers, int kvHeads, int headSize, long budgetBytes) {
    if (budgetBytes < 0) throw new IllegalArgumentException("prefix cache budget must be >= 0, got " + budgetBytes);
    this.layers = layers;
    this.floatsPerLayer = kvHeads * BLOCK * headSize;
    this.blockBytes = 2L * layers * floatsPerLayer * Float.BYTES;
    this.budget = budgetBytes;
  }

  /** Bytes one block takes (keys and values of every layer). */
  public long blockBytes() {
    return blockBytes;
  }

  /**
   * The cached blocks that start {@code prompt}, in order, at most (length - 1) / B of them: the prompt's last token
   * is always computed, since its hidden state gives the next token's logits. Marks them recently used when
   * {@code touch}; otherwise only peeks (a scheduler's estimate).
   */
  public List<Block> match(int[] prompt, boolean touch) {
    List<Block> out = new ArrayList<>();
    long parent = 0;
    for (int b = 0; b < (prompt.length - 1) / BLOCK; b++) {
      Key key = new Key(parent, Arrays.copyOfRange(prompt, b * BLOCK, (b + 1) * BLOCK));
      Block block = blocks.get(key);
      if (block == null) break;
      if (touch) touch(key, block);
      out.add(block);
      parent = block.id();
    }
    return out;
  }

  /** Counts a prefill: a prompt of {@code promptTokens} that took {@code reusedTokens} from the cache. */
  public void recordUse(int promptTokens, int reusedTokens) {
    lookedUp += promptTokens;
    reused += reusedTokens;
  }

  private void touch(Key key, Block block) {
    blocks.remove(key);
    blocks.put(key, block);
  }

  /**
   * Stores every full block of {@code prompt} after the {@code matched} ones it already reused (the first
   * matched.size() blocks), reading each new block through {@code source}; a block another prompt stored meanwhile is
   * reused, not copied again. Evicts least recently used blocks to stay within the budget.
   */
  public void insert(int[] prompt, List<Block> matched, BlockSource source) {
    if (blockBytes > budget) return;
    long parent = matched.isEmpty() ? 0 : matched.get(matched.size() - 1).id();
    for (int b = matched.size(); b < prompt.length / BLOCK; b++) {
      Key key = new Key(parent, Arrays.copyOfRange(prompt, b * BLOCK, (b + 1) * BLOCK));
      Block block = blocks.get(key);
      if (block != null) {
        touch(key, block);
      } else {
        evictFor(blockBytes);
        float[][] k = new float[layers][floatsPerLayer], v = new float[layers][floatsPerLayer];
        source.read(b * BLOCK, k, v);
        block = new Block(nextId++, k, v);
        blocks.put(key, block);
      }
      parent = block.id();
    }
  }

  private void evictFor(long bytes) {
    Iterator<Block> lru = blocks.values().iterator();
    while ((long) (blocks.size()) * blockBytes + bytes > budget && lru.hasNext()) {
      lru.next();
      lru.remove(); // a later block of the same prefix can no longer match; it ages out in turn
      evicted++;
    }
  }

  public Stats stats() {
    return new Stats(lookedUp, reused, blocks.size(), blocks.size() * blockBytes, evicted);
  }
}
