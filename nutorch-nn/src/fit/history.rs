//! The fit loop's history: epoch records whose losses are read off the device in blocks.

use super::EpochRecord;
use nutorch_core::Result;
use tch::{Device, Kind, Tensor};

/// The epoch records of a fit, with their losses read from the device in blocks: reading a
/// GPU tensor waits for the GPU to finish everything queued before it, so reading each
/// batch's loss as it comes (as `loss.item()` does in the Python loop) would stop the CPU
/// from queueing the next batch while the GPU runs this one.
pub(super) struct History {
    done: Vec<EpochRecord>,
    /// Records whose `loss` is still to be filled in, each with its batch losses `[batches]`.
    pending: Vec<(EpochRecord, Tensor)>,
    rows: i64,
    batch: i64,
}

/// Epochs whose losses wait on the device before they are read (bounds the memory they hold).
const EPOCHS_PER_READ: usize = 256;

impl History {
    pub(super) fn new(epochs: usize, rows: i64, batch: i64) -> History {
        History { done: Vec::with_capacity(epochs), pending: Vec::new(), rows, batch }
    }

    pub(super) fn push(&mut self, record: EpochRecord, batch_losses: &[Tensor]) -> Result<()> {
        let losses = match batch_losses {
            [one] => one.f_reshape([1])?,
            many => Tensor::f_stack(many, 0)?,
        };
        self.pending.push((record, losses));
        if self.pending.len() >= EPOCHS_PER_READ {
            self.read_pending()?;
        }
        Ok(())
    }

    /// Fills in the pending records' losses: PyTorch's `total += loss.item() * len(idx)`,
    /// in the same order in float64, then `total / N`.
    fn read_pending(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let all: Vec<&Tensor> = self.pending.iter().map(|(_, l)| l).collect();
        let values = Tensor::f_cat(&all, 0)?.f_to(Device::Cpu)?.f_to_kind(Kind::Double)?;
        let values = Vec::<f64>::try_from(&values)?;
        let mut next = values.iter();
        for (mut record, losses) in self.pending.drain(..) {
            let mut total = 0.0;
            for index in 0..losses.size()[0] {
                let len = self.batch.min(self.rows - index * self.batch);
                total += next.next().copied().unwrap_or(f64::NAN) * len as f64;
            }
            record.loss = total / self.rows as f64;
            self.done.push(record);
        }
        Ok(())
    }

    pub(super) fn finish(mut self) -> Result<Vec<EpochRecord>> {
        self.read_pending()?;
        Ok(self.done)
    }
}
