// accuracy-family: stranded-producer
// accuracy-origin: scylladb PR #6242 (refs #6248), commit "repair: Fix hang when the writer is dead": repair_writer::create_writer and repair_meta::apply_rows_on_master_in_thread in repair/row_level.cc at 35c5ef78b9^, re-expressed with threads
// accuracy-shape: queue=cv-hand-written queue-api=push_eventually/pop_eventually/abort(exception_ptr) close=none spawner=std::async producer=calling-thread-helper-2 consumer=helper-2 exit=throw fix=consumer-aborts-queue-on-error wait=none
//
// The repair master applies the rows it got from a follower: it creates the
// writer for that follower (a task that pops fragments from a bounded queue
// and writes an sstable) and pushes every row into the queue. When the
// writer dies (here: the disk is full at the first partition), its future
// holds the exception, but nobody aborts the queue: the master's push waits
// for room that never comes.
//
// The upstream fix: when the writer fails, abort its queue with the
// exception, so the master's push rethrows it.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <vector>

struct mutation_fragment {
  unsigned partition;
  unsigned row;
};
using mutation_fragment_opt = std::optional<mutation_fragment>;

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

struct sstable {
  std::size_t free_bytes = 0; // the disk of this node is full
  void write_components(queue<mutation_fragment_opt> &reader) {
    while (mutation_fragment_opt mf = reader.pop_eventually()) {
      if (free_bytes < 512)
        throw std::runtime_error("No space left on device");
      free_bytes -= 512;
    }
  }
};

// The consumer handed to the multishard writer.
static void distribute_reader_and_consume(queue<mutation_fragment_opt> &reader) {
  sstable sst;
  sst.write_components(reader);
}

class repair_writer {
public:
  explicit repair_writer(std::size_t nr_peer_nodes) : mq_(nr_peer_nodes), writer_done_(nr_peer_nodes) {}

  void create_writer(unsigned node_idx) {
    if (writer_done_[node_idx].valid())
      return;
    mq_[node_idx] = std::make_unique<queue<mutation_fragment_opt>>(16);
    auto *mq = mq_[node_idx].get();
    writer_done_[node_idx] = std::async(std::launch::async, [mq] {
      try {
        distribute_reader_and_consume(*mq);
      } catch (...) {
        std::exception_ptr ep = std::current_exception();
        mq->abort(ep);
        std::rethrow_exception(ep);
      }
    });
  }

  void do_write(unsigned node_idx, mutation_fragment mf) {
    mq_[node_idx]->push_eventually(mf);
  }

  void write_end_of_stream(unsigned node_idx) {
    if (mq_[node_idx])
      mq_[node_idx]->push_eventually(mutation_fragment_opt());
  }

  void wait_for_writer_done(unsigned node_idx) {
    if (writer_done_[node_idx].valid())
      writer_done_[node_idx].get();
  }

private:
  std::vector<std::unique_ptr<queue<mutation_fragment_opt>>> mq_;
  std::vector<std::future<void>> writer_done_;
};

class repair_meta {
public:
  explicit repair_meta(std::size_t peers) : writer_(peers) {}

  void apply_rows_on_master_in_thread(const std::vector<mutation_fragment> &row_diff,
                                      unsigned node_idx) {
    if (row_diff.empty())
      return;
    writer_.create_writer(node_idx);
    for (const mutation_fragment &r : row_diff)
      writer_.do_write(node_idx, r);
  }

  void stop(unsigned node_idx) {
    writer_.write_end_of_stream(node_idx);
    writer_.wait_for_writer_done(node_idx);
  }

  repair_writer writer_;
};

int main() {
  repair_meta meta(1);
  std::vector<mutation_fragment> rows;
  for (unsigned p = 0; p < 50; ++p)
    for (unsigned r = 0; r < 4; ++r)
      rows.push_back({p, r});
  try {
    meta.apply_rows_on_master_in_thread(rows, 0);
    meta.stop(0);
  } catch (const std::exception &e) {
    std::printf("repair failed: %s\n", e.what());
    try {
      meta.writer_.wait_for_writer_done(0);
    } catch (const std::exception &) {
    }
    return 0;
  }
  std::printf("repair done\n");
  return 0;
}
