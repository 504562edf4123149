// accuracy-family: stranded-producer
// accuracy-origin: apache/doris issue #16203 (its stack: condition_variable::wait in BufferControlBlock::add_batch <- VMysqlResultWriter::append_block <- VResultSink::send), fix PR #16231 (then #40055); be/src/runtime/buffer_control_block.cpp add_batch/get_batch/cancel and plan_fragment_executor.cpp cancel read from stored 1.x/2.x copies
// accuracy-shape: queue=cv-hand-written(BufferControlBlock,rows-bounded,cancel-wakes-adders,waiting-rpc-list) spawner=home-made-pool(fragment-pool,joined-on-shutdown) producer=member-function(result-writer,three-calls-down) consumer=calling-thread(frontend-fetch-loop) exit=throw(caught,no-cancel) wait=destructor(pool-shutdown-join)
//
// A fragment of a SELECT runs on the backend's fragment pool: its result sink
// turns blocks into rows and adds them to the query's BufferControlBlock,
// which waits on a condition variable while more than the buffer limit is
// queued. The frontend's StmtExecutor fetches packets and forwards them to the
// MySQL client; the client has gone, the send throws, the executor reports the
// error and returns, and nobody cancels the fragment. The fragment thread is
// parked in add_batch forever; the backend's shutdown joins the pool.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace doris {

class Status {
public:
  static Status OK() { return {}; }
  static Status Cancelled(std::string msg) { return Status("Cancelled: " + std::move(msg)); }
  bool ok() const { return msg_.empty(); }
  const std::string &to_string() const { return msg_; }
private:
  Status() = default;
  explicit Status(std::string msg) : msg_(std::move(msg)) {}
  std::string msg_;
};
#define RETURN_IF_ERROR(stmt)                                                                      \
  do {                                                                                             \
    Status _st = (stmt);                                                                           \
    if (!_st.ok())                                                                                 \
      return _st;                                                                                  \
  } while (false)

using TUniqueId = long;

struct TFetchDataResult {
  std::vector<std::string> rows;
  bool eos = false;
};
struct PFetchDataResult {
  Status status = Status::OK();
  std::vector<std::string> rows;
  bool eos = false;
};

// The context of a fetch_data rpc: answered now, or later by add_batch.
struct GetResultBatchCtx {
  std::promise<PFetchDataResult> done;
  void on_data(std::unique_ptr<TFetchDataResult> &t_result) {
    done.set_value({Status::OK(), std::move(t_result->rows), t_result->eos});
  }
  void on_close() { done.set_value({Status::OK(), {}, true}); }
  void on_failure(const Status &status) { done.set_value({status, {}, false}); }
};

class BufferControlBlock {
public:
  explicit BufferControlBlock(int buffer_size) : _buffer_limit(buffer_size) {}

  Status add_batch(std::unique_ptr<TFetchDataResult> &result) {
    std::unique_lock<std::mutex> l(_lock);
    if (_is_cancelled)
      return Status::Cancelled("Cancelled");
    int num_rows = result->rows.size();
    while ((!_batch_queue.empty() && _buffer_rows > _buffer_limit) && !_is_cancelled)
      _data_removal.wait(l);
    if (_is_cancelled)
      return Status::Cancelled("Cancelled");
    if (_waiting_rpc.empty()) {
      // Merge small results into the last batch to save rpcs.
      if (!_batch_queue.empty() && _batch_queue.back()->rows.size() + num_rows < static_cast<size_t>(_buffer_limit)) {
        auto &back = _batch_queue.back()->rows;
        back.insert(back.end(), result->rows.begin(), result->rows.end());
      } else {
        _batch_queue.push_back(std::move(result));
      }
      _buffer_rows += num_rows;
    } else {
      auto *ctx = _waiting_rpc.front();
      _waiting_rpc.pop_front();
      ctx->on_data(result);
    }
    return Status::OK();
  }

  void get_batch(GetResultBatchCtx *ctx) {
    std::lock_guard<std::mutex> l(_lock);
    if (_is_cancelled)
      return ctx->on_failure(Status::Cancelled("Cancelled"));
    if (!_batch_queue.empty()) {
      auto result = std::move(_batch_queue.front());
      _batch_queue.pop_front();
      _buffer_rows -= result->rows.size();
      _data_removal.notify_one();
      return ctx->on_data(result);
    }
    if (_is_close)
      return ctx->on_close();
    _waiting_rpc.push_back(ctx);
  }

  void close() {
    std::lock_guard<std::mutex> l(_lock);
    _is_close = true;
    for (auto *ctx : _waiting_rpc)
      ctx->on_close();
    _waiting_rpc.clear();
  }

  void cancel() {
    std::lock_guard<std::mutex> l(_lock);
    _is_cancelled = true;
    _data_removal.notify_all();
    for (auto *ctx : _waiting_rpc)
      ctx->on_failure(Status::Cancelled("Cancelled"));
    _waiting_rpc.clear();
  }

private:
  std::mutex _lock;
  std::condition_variable _data_removal;
  std::deque<std::unique_ptr<TFetchDataResult>> _batch_queue;
  std::deque<GetResultBatchCtx *> _waiting_rpc;
  bool _is_close = false;
  bool _is_cancelled = false;
  int _buffer_rows = 0;
  const int _buffer_limit;
};

class ResultBufferMgr {
public:
  std::shared_ptr<BufferControlBlock> create_sender(TUniqueId id, int buffer_size) {
    std::lock_guard<std::mutex> l(_lock);
    return _buffer_map[id] = std::make_shared<BufferControlBlock>(buffer_size);
  }
  void fetch_data(TUniqueId id, GetResultBatchCtx *ctx) {
    auto cb = find_control_block(id);
    if (!cb)
      return ctx->on_failure(Status::Cancelled("no result for this query"));
    cb->get_batch(ctx);
  }
  void cancel(TUniqueId id) {
    auto cb = find_control_block(id);
    if (cb)
      cb->cancel();
    std::lock_guard<std::mutex> l(_lock);
    _buffer_map.erase(id);
  }
private:
  std::shared_ptr<BufferControlBlock> find_control_block(TUniqueId id) {
    std::lock_guard<std::mutex> l(_lock);
    auto it = _buffer_map.find(id);
    return it == _buffer_map.end() ? nullptr : it->second;
  }
  std::mutex _lock;
  std::map<TUniqueId, std::shared_ptr<BufferControlBlock>> _buffer_map;
};

// The plan: a scan of t_user, then the result sink with its MySQL writer.
class PlanFragmentExecutor {
public:
  PlanFragmentExecutor(ResultBufferMgr &mgr, TUniqueId id)
      : _result_mgr(mgr), _id(id), _sinker(mgr.create_sender(id, 4096)) {}
  Status open() {
    Status status = open_internal();
    _sinker->close();
    return status;
  }
  void cancel() { _result_mgr.cancel(_id); }
private:
  Status open_internal() {
    for (int block = 0; block < 100; ++block) // 100k rows
      RETURN_IF_ERROR(send(block));
    return Status::OK();
  }
  Status send(int block) { return append_block(block); } // VResultSink::send
  Status append_block(int block) {                        // VMysqlResultWriter
    auto result = std::make_unique<TFetchDataResult>();
    for (int row = 0; row < 1024; ++row)
      result->rows.push_back("user" + std::to_string(block * 1024 + row));
    RETURN_IF_ERROR(_sinker->add_batch(result)); // accuracy: blocks
    return Status::OK();
  }
  ResultBufferMgr &_result_mgr;
  TUniqueId _id;
  std::shared_ptr<BufferControlBlock> _sinker;
};

// The backend's fragment pool: fixed threads, joined at shutdown.
class FragmentMgr {
public:
  explicit FragmentMgr(ResultBufferMgr &mgr, int threads) : _result_mgr(mgr) {
    for (int i = 0; i < threads; ++i)
      _workers.emplace_back([this] { work(); });
  }
  ~FragmentMgr() {
    {
      std::lock_guard<std::mutex> l(_lock);
      _shutdown = true;
    }
    _cv.notify_all();
    for (auto &worker : _workers)
      worker.join();
  }
  void exec_plan_fragment(TUniqueId id) {
    auto executor = std::make_shared<PlanFragmentExecutor>(_result_mgr, id);
    std::lock_guard<std::mutex> l(_lock);
    _executors[id] = executor;
    _tasks.push_back([executor] { (void)executor->open(); });
    _cv.notify_one();
  }
  void cancel(TUniqueId id) {
    std::lock_guard<std::mutex> l(_lock);
    if (auto it = _executors.find(id); it != _executors.end())
      it->second->cancel();
  }
private:
  void work() {
    while (true) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> l(_lock);
        _cv.wait(l, [this] { return _shutdown || !_tasks.empty(); });
        if (_tasks.empty())
          return;
        task = std::move(_tasks.front());
        _tasks.pop_front();
      }
      task();
    }
  }
  ResultBufferMgr &_result_mgr;
  std::mutex _lock;
  std::condition_variable _cv;
  std::deque<std::function<void()>> _tasks;
  std::map<TUniqueId, std::shared_ptr<PlanFragmentExecutor>> _executors;
  std::vector<std::thread> _workers;
  bool _shutdown = false;
};

struct ExecEnv {
  ResultBufferMgr result_mgr;
  FragmentMgr fragment_mgr{result_mgr, 2};
};

// ---- frontend ----
struct MysqlChannel {
  void sendOnePacket(const std::vector<std::string> &) {
    throw std::runtime_error("Broken pipe (Write failed)"); // the client went away
  }
};

class Coordinator {
public:
  Coordinator(ExecEnv &be, TUniqueId id) : _be(be), _id(id) {}
  void exec() { _be.fragment_mgr.exec_plan_fragment(_id); }
  PFetchDataResult getNext() {
    GetResultBatchCtx ctx;
    auto reply = ctx.done.get_future();
    _be.result_mgr.fetch_data(_id, &ctx);
    return reply.get();
  }
  void cancel() { _be.fragment_mgr.cancel(_id); }
private:
  ExecEnv &_be;
  TUniqueId _id;
};

class StmtExecutor {
public:
  StmtExecutor(ExecEnv &be, MysqlChannel &channel) : _coord(be, 42), _channel(channel) {}
  void execute() {
    try {
      handleQueryStmt();
    } catch (const std::exception &e) {
      std::printf("StmtExecutor: errCode = 2, detailMessage = %s\n", e.what());
    }
  }
private:
  void handleQueryStmt() {
    _coord.exec();
    while (true) {
      PFetchDataResult batch = _coord.getNext();
      if (!batch.status.ok())
        throw std::runtime_error(batch.status.to_string());
      if (batch.eos)
        break;
      _channel.sendOnePacket(batch.rows);
    }
  }
  Coordinator _coord;
  MysqlChannel &_channel;
};

} // namespace doris

int main() {
  auto be = std::make_unique<doris::ExecEnv>();
  doris::MysqlChannel channel;
  doris::StmtExecutor executor(*be, channel);
  executor.execute(); // select * from t_user
  be.reset();         // the backend shuts down
  return 0;
}
