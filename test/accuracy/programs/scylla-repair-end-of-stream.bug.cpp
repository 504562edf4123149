// accuracy-family: stranded-consumer
// accuracy-origin: scylladb PR #6320 (issues #6272, #6248): repair_writer::write_end_of_stream in repair/row_level.cc at 460881f910^, re-expressed with threads
// accuracy-shape: queue=cv-hand-written queue-api=push_eventually/pop_eventually/abort(exception_ptr) close=none end-marker=empty-optional spawner=std::async consumers=per-node producer=member-function consumer=lambda exit=throw-before-marker wait=future-get
//
// The repair master writes the rows it receives from each peer into a queue
// per peer; a writer task per peer pops fragments and seals its sstable when
// it pops the end-of-stream marker (an empty optional). The queue has no
// close: the marker is the protocol. At the end, write_end_of_stream first
// closes the open partition (a step that can throw) and only then pushes
// the marker; when the first step throws, the marker is skipped, and the
// wait for the writers never returns.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

struct mutation_fragment {
  enum class kind { partition_start, clustering_row, partition_end } k;
  std::uint64_t row_hash;
};
using mutation_fragment_opt = std::optional<mutation_fragment>;

// Modelled on seastar::queue<T>: bounded, no close; abort() makes both
// sides throw.
template <typename T> class queue {
public:
  explicit queue(std::size_t max_size) : max_size_(max_size) {}
  void push_eventually(T v) {
    std::unique_lock<std::mutex> lk(m_);
    not_full_.wait(lk, [&] { return ex_ || q_.size() < max_size_; });
    if (ex_)
      std::rethrow_exception(ex_);
    q_.push_back(std::move(v));
    not_empty_.notify_one();
  }
  T pop_eventually() {
    std::unique_lock<std::mutex> lk(m_);
    not_empty_.wait(lk, [&] { return ex_ || !q_.empty(); });
    if (ex_)
      std::rethrow_exception(ex_);
    T v = std::move(q_.front());
    q_.pop_front();
    not_full_.notify_one();
    return v;
  }
  void abort(std::exception_ptr ep) {
    std::lock_guard<std::mutex> lk(m_);
    ex_ = std::move(ep);
    not_empty_.notify_all();
    not_full_.notify_all();
  }

private:
  std::mutex m_;
  std::condition_variable not_empty_, not_full_;
  std::deque<T> q_;
  std::size_t max_size_;
  std::exception_ptr ex_;
};

class repair_writer {
public:
  explicit repair_writer(std::size_t nr_peer_nodes)
      : mq_(nr_peer_nodes), writer_done_(nr_peer_nodes), partition_opened_(nr_peer_nodes),
        partition_hash_(nr_peer_nodes) {
    for (auto &q : mq_)
      q = std::make_unique<queue<mutation_fragment_opt>>(16);
  }

  void create_writer(unsigned node_idx) {
    if (writer_done_[node_idx].valid())
      return;
    auto *mq = mq_[node_idx].get();
    writer_done_[node_idx] = std::async(std::launch::async, [mq] {
      std::uint64_t rows = 0;
      while (true) {
        mutation_fragment_opt mf = mq->pop_eventually(); // accuracy: blocks
        if (!mf)
          return rows; // end of stream: seal the sstable
        rows += mf->k == mutation_fragment::kind::clustering_row;
      }
    });
  }

  void do_write(unsigned node_idx, std::uint64_t row_hash) {
    if (!partition_opened_[node_idx]) {
      mq_[node_idx]->push_eventually(mutation_fragment{mutation_fragment::kind::partition_start, 0});
      partition_opened_[node_idx] = true;
    }
    partition_hash_[node_idx] ^= row_hash;
    mq_[node_idx]->push_eventually(mutation_fragment{mutation_fragment::kind::clustering_row, row_hash});
  }

  void write_partition_end(unsigned node_idx) {
    if (!partition_opened_[node_idx])
      return;
    // The partition_end carries the digest of what was written; a peer
    // whose rows did not match what it announced cannot be sealed.
    if (partition_hash_[node_idx] != expected_hash(node_idx))
      throw std::runtime_error("row hash mismatch for peer " + std::to_string(node_idx));
    mq_[node_idx]->push_eventually(
        mutation_fragment{mutation_fragment::kind::partition_end, partition_hash_[node_idx]});
    partition_opened_[node_idx] = false;
  }

  void write_end_of_stream(unsigned node_idx) {
    // Partition_end is never sent on the wire, so write one ourselves.
    write_partition_end(node_idx);
    // An empty mutation_fragment_opt means no more data.
    mq_[node_idx]->push_eventually(mutation_fragment_opt());
  }

  void wait_for_writer_done() {
    std::exception_ptr first;
    for (unsigned node_idx = 0; node_idx < mq_.size(); ++node_idx) {
      // when_all_succeed(write_end_of_stream(), writer_done): both run.
      try {
        write_end_of_stream(node_idx);
      } catch (...) {
        if (!first)
          first = std::current_exception();
      }
      try {
        if (writer_done_[node_idx].valid())
          writer_done_[node_idx].get();
      } catch (...) {
        if (!first)
          first = std::current_exception();
      }
    }
    if (first)
      std::rethrow_exception(first);
  }

private:
  static std::uint64_t expected_hash(unsigned node_idx) { return node_idx == 1 ? 0x5eed : 0; }

  std::vector<std::unique_ptr<queue<mutation_fragment_opt>>> mq_;
  std::vector<std::future<std::uint64_t>> writer_done_;
  std::vector<bool> partition_opened_;
  std::vector<std::uint64_t> partition_hash_;
};

int main() {
  const unsigned peers = 3;
  repair_writer writer(peers);
  // Rows from every peer; each row comes twice, so the digests cancel out,
  // except for peer 1, which announced rows it did not send.
  for (unsigned node = 0; node < peers; ++node) {
    writer.create_writer(node);
    for (std::uint64_t r = 0; r < 40; ++r)
      writer.do_write(node, 0x1000 + r / 2);
  }
  try {
    writer.wait_for_writer_done();
  } catch (const std::exception &e) {
    std::printf("repair_writer: wait_for_writer_done failed: %s\n", e.what());
    return 0;
  }
  std::printf("repair_writer: all rows written\n");
  return 0;
}
