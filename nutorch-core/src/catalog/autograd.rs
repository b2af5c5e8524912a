//! Autograd: requires_grad_, backward, grad, zero_grad, detach, torch.autograd.grad.
//! (`nutorch no-grad { ... }` is a command of the plugin: it needs the engine.)

use super::spec::{bad, opt, req, Dflt, OpSpec, Out, OutKind as O, Ty::*, INPUT};
use super::util::{at, t};
use crate::autograd::set_requires_grad;
use crate::op;
use tch::Tensor;

fn set_grad(a: &super::Args) -> super::spec::OpResult {
    let _ = at("requires_grad", set_requires_grad(a.input().shallow_clone(), a.flag("requires_grad")))?;
    Ok(Out::Same)
}

pub static OPS: &[OpSpec] = &[
    op!("requires_grad_", Autograd, "Tensor.requires_grad_", "Turns gradient tracking on (or off with --requires-grad=false) for this tensor, in place.",
        [INPUT, opt("requires_grad", Bool, Dflt::Bool(true))], O::Same,
        "(nutorch fromvalue [1.0] | nutorch requires_grad_).requires_grad" => "true",
        set_grad),
    op!("requires_grad", Autograd, "Tensor.requires_grad", "Turns gradient tracking on (or off with --requires-grad=false) for this tensor (alias of requires_grad_).",
        [INPUT, opt("requires_grad", Bool, Dflt::Bool(true))], O::Same,
        "(nutorch fromvalue [1.0] | nutorch requires_grad --requires-grad=false).requires_grad" => "false",
        set_grad,
        notes: "Read the flag with `$t.requires_grad`."),
    op!("backward", Autograd, "Tensor.backward", "Computes the gradients of this (scalar) tensor and adds them to the .grad of the leaves.",
        [INPUT, opt("gradient", Tensor, Dflt::None).doc("the gradient of a non-scalar tensor (as in PyTorch)")], O::Nothing,
        "let x = (nutorch fromvalue 3.0 --requires-grad); $x | nutorch mul $x | nutorch backward; $x.grad | nutorch tovalue" => "6.0",
        |a| {
            let x = a.input();
            if !x.requires_grad() {
                return Err(bad("input", "element 0 of tensors does not require grad and does not have a grad_fn"));
            }
            match a.opt_tensor("gradient") {
                Some(g) if g.size() != x.size() => {
                    return Err(bad("gradient", format!(
                        "Mismatch in shape: grad_output[0] has a shape of {:?} and output[0] has a shape of {:?}",
                        g.size(), x.size()
                    )))
                }
                Some(g) => x.f_mul(g)?.f_sum(None::<tch::Kind>)?.f_backward()?,
                None if x.numel() != 1 => return Err(bad("input", "grad can be implicitly created only for scalar outputs; give --gradient")),
                None => x.f_backward()?,
            }
            Ok(Out::Nothing)
        },
        notes: "The graph is freed afterwards (no retain_graph); compute again for another backward."),
    op!("grad", Autograd, "Tensor.grad", "The gradient accumulated by backward (nothing before the first backward).",
        [INPUT], O::Varies,
        "nutorch fromvalue [1.0] --requires-grad | nutorch grad" => "null",
        |a| {
            // A non-leaf has no .grad (libtorch would print a warning on every read).
            if !a.input().f_is_leaf()? && !a.input().f_retains_grad()? {
                return Ok(Out::Nothing);
            }
            let g = a.input().f_grad()?;
            if g.defined() { t(g) } else { Ok(Out::Nothing) }
        },
        notes: "Also `$t.grad`."),
    op!("zero_grad", Autograd, "Tensor.grad.zero_", "Sets this tensor's gradient to zeros (if it has one), in place.",
    [INPUT], O::Same,
    "nutorch fromvalue [1.0] --requires-grad | nutorch zero_grad | nutorch tovalue" => "[1.0]",
    |a| {
        if !a.input().f_is_leaf()? && !a.input().f_retains_grad()? {
            return Ok(Out::Same);
        }
        let mut g = a.input().f_grad()?;
        if g.defined() {
            let _ = g.f_detach_()?.f_zero_()?;
        }
        Ok(Out::Same)
    }),
    op!("detach", Autograd, "Tensor.detach", "The same data, cut from the autograd graph (requires_grad false).",
        [INPUT], O::Tensor,
        "(nutorch fromvalue [1.0] --requires-grad | nutorch detach).requires_grad" => "false",
        |a| t(a.input().f_detach()?)),
    op!("detach_", Autograd, "Tensor.detach_", "Cuts this tensor from the autograd graph, in place.",
    [INPUT], O::Same,
    "(nutorch fromvalue [1.0] --requires-grad | nutorch detach_).requires_grad" => "false",
    |a| {
        let _ = a.input().shallow_clone().f_detach_()?;
        Ok(Out::Same)
    }),
    op!("is_leaf", Autograd, "Tensor.is_leaf", "Whether the tensor is a leaf of the graph (created by the user, not by an op that tracks grad).",
        [INPUT], O::Value,
        "nutorch fromvalue [1.0] --requires-grad | nutorch is_leaf" => "true",
        |a| Ok(Out::Bool(a.input().f_is_leaf()?))),
    op!("autograd_grad", Autograd, "torch.autograd.grad", "Gradients of the (scalar) outputs with respect to the inputs, as a list (leaves' .grad untouched).",
    [req("outputs", Tensors), req("inputs", Tensors), opt("retain_graph", Bool, Dflt::Bool(false)), opt("create_graph", Bool, Dflt::Bool(false))], O::Tensors,
    "let x = (nutorch fromvalue 2.0 --requires-grad); $x | nutorch mul $x | nutorch autograd_grad [$x] | nutorch tovalue" => "[4.0]",
    |a| {
        let (outputs, inputs) = (a.tensors("outputs"), a.tensors("inputs"));
        if outputs.is_empty() || inputs.is_empty() {
            return Err(bad("outputs", "give at least one output and one input"));
        }
        if let Some(i) = inputs.iter().position(|x| !x.requires_grad()) {
            return Err(bad("inputs", format!("input {i} does not require grad")));
        }
        if let Some(i) = outputs.iter().position(|o| o.numel() != 1) {
            return Err(bad("outputs", format!("output {i} is not a scalar: grad can be implicitly created only for scalar outputs")));
        }
        let keep = a.flag("retain_graph") || a.flag("create_graph");
        let grads = Tensor::f_run_backward(outputs, inputs, keep, a.flag("create_graph"))?;
        // An input the outputs do not depend on gets no gradient (an undefined tensor).
        if let Some(i) = grads.iter().position(|g| !g.defined()) {
            return Err(bad("inputs", format!(
                "input {i}: one of the differentiated Tensors appears to not have been used in the graph \
                 (PyTorch's allow_unused=True is not supported)"
            )));
        }
        Ok(Out::List(grads))
    }),
];
