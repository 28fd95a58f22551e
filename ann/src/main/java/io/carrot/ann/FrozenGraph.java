package io.carrot.ann;

import io.carrot.core.CarrotException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.util.Arrays;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.util.hnsw.HnswGraph;
import org.apache.lucene.util.hnsw.NeighborArray;
import org.apache.lucene.util.hnsw.OnHeapHnswGraph;

/**
 * A finished HNSW graph as plain int arrays. Lucene's on-heap graph keeps its read cursor inside
 * the graph (one search at a time) and a score per edge; this copy is immutable, about half the
 * size, and hands every search its own cursor through {@link #view()}.
 */
final class FrozenGraph {
  private final int size;
  private final int maxConn;
  private final int entryNode;
  /** Per level: the nodes on it, sorted (null for level 0, which holds every node). */
  private final int[][] nodes;
  /** Per level: neighbours, {@code stride[level]} slots per node in {@code nodes} order. */
  private final int[][] neighbors;
  private final int[][] counts;
  private final int[] stride;

  private FrozenGraph(int size, int maxConn, int entryNode, int[][] nodes, int[][] neighbors, int[][] counts, int[] stride) {
    this.size = size;
    this.maxConn = maxConn;
    this.entryNode = entryNode;
    this.nodes = nodes;
    this.neighbors = neighbors;
    this.counts = counts;
    this.stride = stride;
  }

  static FrozenGraph of(OnHeapHnswGraph g) throws IOException {
    int levels = g.numLevels();
    int n = g.size();
    int[][] nodes = new int[levels][];
    int[][] neighbors = new int[levels][];
    int[][] counts = new int[levels][];
    int[] stride = new int[levels];
    for (int level = 0; level < levels; level++) {
      int[] onLevel = level == 0 ? null : HnswGraph.NodesIterator.getSortedNodes(g.getNodesOnLevel(level));
      int count = level == 0 ? n : onLevel.length;
      int s = 0;
      for (int p = 0; p < count; p++) {
        s = Math.max(s, g.getNeighbors(level, level == 0 ? p : onLevel[p]).size());
      }
      int[] nb = new int[Math.multiplyExact(count, s)];
      int[] c = new int[count];
      for (int p = 0; p < count; p++) {
        NeighborArray a = g.getNeighbors(level, level == 0 ? p : onLevel[p]);
        c[p] = a.size();
        System.arraycopy(a.nodes(), 0, nb, p * s, a.size());
      }
      nodes[level] = onLevel;
      neighbors[level] = nb;
      counts[level] = c;
      stride[level] = s;
    }
    return new FrozenGraph(n, g.maxConn(), g.entryNode(), nodes, neighbors, counts, stride);
  }

  private static final int MAGIC = 0x484E5357; // "HNSW"

  /** Little-endian ints: magic, size, maxConn, entry node, levels, then per level its arrays. */
  byte[] encode() {
    long bytes = 5 * 4L;
    for (int l = 0; l < nodes.length; l++) {
      bytes += 2 * 4L + (nodes[l] == null ? 0 : nodes[l].length * 4L) + counts[l].length * 4L + neighbors[l].length * 4L;
    }
    ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(MAGIC).putInt(size).putInt(maxConn).putInt(entryNode).putInt(nodes.length);
    IntBuffer ib = b.asIntBuffer();
    for (int l = 0; l < nodes.length; l++) {
      ib.put(counts[l].length).put(stride[l]);
      if (l > 0) {
        ib.put(nodes[l]);
      }
      ib.put(counts[l]).put(neighbors[l]);
    }
    return b.array();
  }

  /** Reads {@link #encode()}'s bytes; fails with a clear message on anything inconsistent. */
  static FrozenGraph decode(byte[] bytes, int expectedSize) {
    try {
      IntBuffer ib = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
      if (ib.get() != MAGIC) {
        throw new CarrotException("router file: knn/index.hnsw is not an hnsw graph");
      }
      int size = ib.get();
      int maxConn = ib.get();
      int entry = ib.get();
      int levels = ib.get();
      if (size != expectedSize || levels < 1 || levels > 64 || entry < 0 || entry >= size) {
        throw new CarrotException("router file: the hnsw graph has " + size + " nodes and " + levels + " levels for a store of " + expectedSize + " rows");
      }
      int[][] nodes = new int[levels][];
      int[][] neighbors = new int[levels][];
      int[][] counts = new int[levels][];
      int[] stride = new int[levels];
      for (int l = 0; l < levels; l++) {
        int count = ib.get();
        stride[l] = ib.get();
        if (l > 0) {
          nodes[l] = new int[count];
          ib.get(nodes[l]);
        }
        counts[l] = new int[count];
        ib.get(counts[l]);
        neighbors[l] = new int[Math.multiplyExact(count, stride[l])];
        ib.get(neighbors[l]);
        for (int x : neighbors[l]) {
          if (x < 0 || x >= size) {
            throw new CarrotException("router file: the hnsw graph links to node " + x + " of " + size);
          }
        }
      }
      if (ib.hasRemaining()) {
        throw new CarrotException("router file: knn/index.hnsw has " + ib.remaining() * 4 + " bytes after the graph");
      }
      return new FrozenGraph(size, maxConn, entry, nodes, neighbors, counts, stride);
    } catch (java.nio.BufferUnderflowException | NegativeArraySizeException | ArithmeticException e) {
      throw new CarrotException("router file: knn/index.hnsw is truncated or corrupt (" + e + ")");
    }
  }

  int size() {
    return size;
  }

  int numLevels() {
    return nodes.length;
  }

  /** Number of directed edges, for reports. */
  long edges() {
    long e = 0;
    for (int[] c : counts) {
      for (int x : c) {
        e += x;
      }
    }
    return e;
  }

  /** A read view with its own cursor, for one search at a time. */
  HnswGraph view() {
    return new View();
  }

  private final class View extends HnswGraph {
    private int[] arr = new int[0];
    private int start;
    private int upto;
    private int end;

    @Override
    public void seek(int level, int target) {
      int pos = level == 0 ? target : Arrays.binarySearch(nodes[level], target);
      if (pos < 0) {
        throw new IllegalStateException("node " + target + " is not on level " + level);
      }
      arr = neighbors[level];
      start = pos * stride[level];
      upto = start;
      end = start + counts[level][pos];
    }

    @Override
    public int size() {
      return size;
    }

    @Override
    public int nextNeighbor() {
      return upto < end ? arr[upto++] : DocIdSetIterator.NO_MORE_DOCS;
    }

    @Override
    public int numLevels() {
      return nodes.length;
    }

    @Override
    public int maxConn() {
      return maxConn;
    }

    @Override
    public int entryNode() {
      return entryNode;
    }

    @Override
    public NodesIterator getNodesOnLevel(int level) {
      return level == 0 ? new ArrayNodesIterator(size) : new ArrayNodesIterator(nodes[level], nodes[level].length);
    }

    @Override
    public int neighborCount() {
      return end - start;
    }
  }
}
