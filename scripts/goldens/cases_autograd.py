"""Autograd ops one call at a time (whole backward passes are in tests/commands.rs)."""
import torch

from .framework import R, T, case


def leaf(*shape):
    return R(*shape).requires_grad_(True)


case("requires_grad_", input=R(3), fn=lambda input: input.requires_grad_().detach())
case("requires_grad_", input=leaf(2), requires_grad=False, fn=lambda input, requires_grad: input.requires_grad_(requires_grad))
case("requires_grad_", input=T([1, 2]), err="floating point", fn=lambda input: input.requires_grad_())
case("requires_grad", input=R(3), fn=lambda input: input.requires_grad_().detach())
case("requires_grad", input=T([1, 2]), requires_grad=False, fn=lambda input, requires_grad: input.requires_grad_(requires_grad))
case("backward", input=leaf(), fn=lambda input: input.backward())
case("backward", input=leaf(3), gradient=R(3), fn=lambda input, gradient: input.backward(gradient))
case("backward", input=leaf(3), err="scalar", fn=lambda input: input.backward())
case("backward", input=R(), err="does not require grad", fn=lambda input: input.backward())
case("grad", input=leaf(2), fn=lambda input: input.grad)
case("zero_grad", input=leaf(2), fn=lambda input: input.detach())
case("detach", input=leaf(2, 3), fn=lambda input: input.detach())
case("detach", input=R(3), fn=lambda input: input.detach())
case("detach_", input=leaf(2), fn=lambda input: input.detach_())
case("is_leaf", input=leaf(2), fn=lambda input: input.is_leaf)
case("autograd_grad", outputs=[leaf()], inputs=[leaf()], err=True, fn=lambda outputs, inputs: torch.autograd.grad(outputs, inputs))
case("autograd_grad", outputs=[R()], inputs=[R()], err="require grad", fn=lambda outputs, inputs: torch.autograd.grad(outputs, inputs))
