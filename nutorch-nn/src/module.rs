//! The `Module` trait: what a trainable network offers to losses, optimizers and files.

use nutorch_core::Result;
use tch::Tensor;

/// A network: a fallible forward pass and named parameters.
///
/// Parameters are returned as shallow clones: they share storage *and* autograd identity with
/// the module's own tensors, so an optimizer updating them in place trains the module, and
/// gradients computed for them are the module's gradients.
pub trait Module {
    /// The forward pass on rows: `x` is `[N, in]` (one sample per row, as in PyTorch), the
    /// result `[N, out]`. Errors (wrong width, wrong dtype) are reported, never panicked on.
    fn forward(&self, x: &Tensor) -> Result<Tensor>;

    /// The same function on columns: `xt` is `[in, N]` (one sample per column), the result
    /// `[out, N]`, i.e. `forward(xt.t()).t()`.
    ///
    /// Training uses this layout. With the few features and classes of small networks, the
    /// sample dimension is the long one, and libtorch's CPU kernels (bias broadcast, softmax,
    /// reductions) vectorize along the contiguous last dimension, so putting the samples there
    /// makes an epoch markedly faster. The default transposes around [`Module::forward`];
    /// layers override it with a direct computation.
    fn forward_columns(&self, xt: &Tensor) -> Result<Tensor> {
        Ok(self.forward(&xt.f_tr()?)?.f_tr()?)
    }

    /// Parameters with PyTorch's `state_dict` names (`fc1.weight`, ...), in a fixed order.
    /// The names are what save/load use, so that files map 1:1 onto PyTorch modules.
    fn named_parameters(&self) -> Vec<(String, Tensor)>;

    /// The parameters alone, in the order of [`Module::named_parameters`].
    fn parameters(&self) -> Vec<Tensor> {
        self.named_parameters().into_iter().map(|(_, t)| t).collect()
    }
}
