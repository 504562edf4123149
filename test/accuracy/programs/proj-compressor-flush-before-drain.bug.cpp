// accuracy-family: join-before-drain
// accuracy-origin: samtools/htslib PR #1309, commit 5fbd7e7c (thread_pool.c at 5fbd7e7c^: a worker takes a job only while the process queue's output has room; hts_tpool_process_flush() waits for every job while the results are read by the very thread that flushes -- "the flush isn't something that we can call and just wait on unless we have a separate thread that is able to drain the queue"; upstream it was an accounting race in the room flush makes for the final sprint, here flush makes none, which makes it certain), re-expressed in C++ as a BGZF-style block writer
// accuracy-shape: queue=cv-ordered-result-queue spawner=home-made-pool(std::function-tasks) producer=pool-worker consumer=calling-thread-member-function exit=none wait=pool-flush
//
// A block-compressing writer: write() cuts the data into blocks and
// dispatch()es one compression job per block to a thread pool (dispatch
// stores a std::function and never blocks). The pool's workers take a job
// only while the output -- results waiting to be collected, in order --
// has room for it (qsize). close() flushes the pool, waiting until every
// dispatched job has run, and only then collects the compressed blocks and
// writes them out. With more blocks than qsize, the workers stop taking
// jobs and flush() waits forever.
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

struct Block {
  std::size_t raw = 0;
  std::size_t compressed = 0;
};

class ThreadPool {
public:
  ThreadPool(int threads, std::size_t qsize) : qsize_(qsize) {
    for (int i = 0; i < threads; ++i)
      threads_.emplace_back([this] { worker(); });
  }

  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      shutdown_ = true;
    }
    work_cond_.notify_all();
    for (auto &t : threads_)
      t.join();
  }

  // Queues a job; never blocks.
  void dispatch(std::function<Block()> job) {
    std::lock_guard<std::mutex> lock(mutex_);
    input_.push_back({next_serial_++, std::move(job)});
    work_cond_.notify_one();
  }

  // Waits until every dispatched job has run.
  void flush() {
    std::unique_lock<std::mutex> lock(mutex_);
    none_processing_.wait(lock, [this] { return input_.empty() && n_processing_ == 0; });
  }

  // The next result in dispatch order, if it is ready.
  std::optional<Block> nextResult() {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = output_.find(next_result_);
    if (it == output_.end())
      return std::nullopt;
    Block b = it->second;
    output_.erase(it);
    ++next_result_;
    work_cond_.notify_all(); // room for another job
    return b;
  }

private:
  struct Job {
    long serial;
    std::function<Block()> run;
  };

  void worker() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      // only start a job if there is room to put its result
      work_cond_.wait(lock, [this] {
        return shutdown_ || (!input_.empty() && qsize_ - output_.size() > n_processing_);
      });
      if (shutdown_)
        return;
      Job job = std::move(input_.front());
      input_.pop_front();
      ++n_processing_;
      lock.unlock();
      Block result = job.run();
      lock.lock();
      --n_processing_;
      output_.emplace(job.serial, result);
      if (input_.empty() && n_processing_ == 0)
        none_processing_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable work_cond_, none_processing_;
  std::deque<Job> input_;
  std::map<long, Block> output_;
  std::size_t qsize_;
  std::size_t n_processing_ = 0;
  long next_serial_ = 0, next_result_ = 0;
  bool shutdown_ = false;
  std::vector<std::thread> threads_;
};

class OutputFile {
public:
  void writeBlock(const Block &b) {
    ++blocks_;
    bytes_ += b.compressed;
  }
  void report() const { std::printf("wrote %zu blocks, %zu bytes\n", blocks_, bytes_); }

private:
  std::size_t blocks_ = 0, bytes_ = 0;
};

class BlockWriter {
public:
  static constexpr std::size_t kBlockSize = 4096;

  BlockWriter(ThreadPool &pool, OutputFile &out) : pool_(pool), out_(out) {}

  void write(const std::string &data) {
    for (char c : data) {
      block_.push_back(c);
      if (block_.size() == kBlockSize)
        flushBlock();
    }
  }

  void close() {
    flushBlock();
    pool_.flush(); // accuracy: blocks
    while (auto b = pool_.nextResult())
      out_.writeBlock(*b);
  }

private:
  void flushBlock() {
    if (block_.empty())
      return;
    pool_.dispatch([data = std::move(block_)] { return compress(data); });
    block_.clear();
  }

  static Block compress(const std::string &data) {
    std::size_t runs = 1;
    for (std::size_t i = 1; i < data.size(); ++i)
      runs += data[i] != data[i - 1];
    return Block{data.size(), 18 + runs * 2};
  }

  ThreadPool &pool_;
  OutputFile &out_;
  std::string block_;
};

int main() {
  ThreadPool pool(/*threads=*/4, /*qsize=*/8);
  OutputFile out;
  BlockWriter writer(pool, out);
  std::string record;
  for (int i = 0; i < 200; ++i) {
    record.assign(2048, static_cast<char>('A' + i % 26));
    record += std::string(2048, 'N');
    writer.write(record);
  }
  writer.close();
  out.report();
  return 0;
}
