//! The catalog's commands from Nushell: argument forms, errors at the offending argument,
//! operators and cell paths on tensors, autograd and no-grad blocks, completions, the alias
//! module and the op list. (Each op's values are checked against PyTorch in golden.rs.)

#[allow(dead_code)]
mod common;

use common::{device, error_text, eval, plugin_test};
use nu_plugin::Plugin;
use nu_protocol::{LabeledError, Value};
use nutorch_core::catalog;

fn ints(v: &[i64]) -> Value {
    Value::test_list(v.iter().map(|&i| Value::test_int(i)).collect())
}

fn floats(v: &[f64]) -> Value {
    Value::test_list(v.iter().map(|&f| Value::test_float(f)).collect())
}

/// The source text an error's first label points at (for a parse error, Nushell's own error's).
fn labelled_text(test: &nu_plugin_test_support::PluginTest, source: &str, err: nu_protocol::ShellError) -> String {
    let mut err = LabeledError::from(err);
    if err.labels.is_empty() {
        if let Some(inner) = err.inner.first() {
            err = LabeledError::from(inner.clone());
        }
    }
    let label = err.labels.first().unwrap_or_else(|| panic!("{source}: no label in {err:?}"));
    String::from_utf8_lossy(test.engine_state().get_span_contents(label.span)).into_owned()
}

#[test]
fn the_catalog_has_at_least_300_ops_and_every_one_is_a_command() {
    let (plugin, _) = plugin_test();
    let names: Vec<String> = plugin.commands().iter().map(|c| c.name().to_string()).collect();
    assert!(catalog::all().len() >= 300, "{} ops", catalog::all().len());
    for op in catalog::all() {
        assert!(names.contains(&format!("nutorch {}", op.name)), "no command for {}", op.name);
    }
}

#[test]
fn every_op_help_names_its_pytorch_equivalent() {
    let (plugin, _) = plugin_test();
    for command in plugin.commands() {
        let Some(op) = command.name().strip_prefix("nutorch ").and_then(catalog::find) else { continue };
        let help = format!("{} {}", command.description(), command.extra_description());
        assert!(help.contains(op.torch), "{}: help does not name {}", op.name, op.torch);
        assert!(
            !command.examples().is_empty() && command.examples()[0].result.is_some(),
            "{}: no checked example",
            op.name
        );
    }
}

#[test]
fn first_tensor_from_the_pipeline_and_numbers_as_operands() {
    let (_, mut test) = plugin_test();
    let d = device();
    let a = format!("nutorch fromvalue [1 2] --device {d}");
    let b = format!("nutorch fromvalue [10 20] --device {d}");
    assert_eq!(eval(&mut test, &format!("{a} | nutorch add ({b}) | nutorch tovalue")).unwrap(), ints(&[11, 22]));
    // The first tensor comes from the pipeline only: written first, it is one argument too many.
    let text = error_text(eval(&mut test, &format!("nutorch add ({a}) ({b})")));
    assert!(text.contains("nu::parser::extra_positional"), "{text}");
    assert_eq!(eval(&mut test, &format!("{a} | nutorch add 1 --alpha 3 | nutorch tovalue")).unwrap(), ints(&[4, 5]));
    // A float operand promotes an int tensor to float32, as a Python scalar does.
    assert_eq!(eval(&mut test, &format!("({a} | nutorch mul 2.5).dtype")).unwrap(), Value::test_string("float32"));
    // Negative numbers are numbers, not flags, in every position.
    assert_eq!(eval(&mut test, &format!("{a} | nutorch select 0 -1 | nutorch tovalue")).unwrap(), Value::test_int(2));
    assert_eq!(
        eval(&mut test, &format!("nutorch arange 6 --device {d} | nutorch reshape -1 2 | nutorch shape")).unwrap(),
        ints(&[3, 2])
    );
    assert_eq!(
        eval(&mut test, &format!("nutorch arange 6 --device {d} | nutorch reshape [2 -1] | nutorch shape")).unwrap(),
        ints(&[2, 3])
    );
    // Several tensors: as arguments, one list, or a piped list.
    let cat = eval(&mut test, &format!("nutorch cat ({a}) ({b}) | nutorch tovalue")).unwrap();
    assert_eq!(cat, ints(&[1, 2, 10, 20]));
    assert_eq!(eval(&mut test, &format!("nutorch cat [({a}) ({b})] | nutorch tovalue")).unwrap(), cat);
    assert_eq!(eval(&mut test, &format!("[({a}) ({b})] | nutorch cat | nutorch tovalue")).unwrap(), cat);
    assert_eq!(eval(&mut test, &format!("{a} | nutorch cat ({b}) | nutorch tovalue")).unwrap(), cat);
    // One int is a piece size, a list the sizes of the pieces (torch.split).
    let pieces =
        |test: &mut nu_plugin_test_support::PluginTest, src: String| eval(test, &src).unwrap().as_list().unwrap().len();
    assert_eq!(pieces(&mut test, format!("nutorch arange 5 --device {d} | nutorch split 2 | nutorch tovalue")), 3);
    assert_eq!(pieces(&mut test, format!("nutorch arange 5 --device {d} | nutorch split [1 4] | nutorch tovalue")), 2);
}

#[test]
fn multi_output_ops_give_records_and_lists_and_facts_give_values() {
    let (_, mut test) = plugin_test();
    let d = device();
    let sorted = eval(
        &mut test,
        &format!("nutorch fromvalue [3 1 2] --device {d} | nutorch sort --descending | nutorch tovalue"),
    )
    .unwrap();
    assert_eq!(sorted.get_data_by_key("values"), Some(ints(&[3, 2, 1])));
    assert_eq!(sorted.get_data_by_key("indices"), Some(ints(&[0, 2, 1])));
    let chunks =
        eval(&mut test, &format!("nutorch arange 4 --device {d} | nutorch chunk 2 | nutorch tovalue")).unwrap();
    assert_eq!(chunks, Value::test_list(vec![ints(&[0, 1]), ints(&[2, 3])]));
    assert_eq!(
        eval(&mut test, &format!("nutorch zeros 2 3 --device {d} | nutorch numel")).unwrap(),
        Value::test_int(6)
    );
    assert_eq!(
        eval(&mut test, &format!("nutorch fromvalue [[2.5]] --device {d} | nutorch item")).unwrap(),
        Value::test_float(2.5)
    );
    assert_eq!(eval(&mut test, "nutorch promote_types int32 float16").unwrap(), Value::test_string("float16"));
}

/// Eigenvectors are unique only up to a complex factor, and solvers order eigenvalues as
/// they like, so linalg_eig is checked on any device by what defines it: A V = V diag(L),
/// with the eigenvalues (sorted) those of the matrix.
#[test]
fn eig_reconstructs_the_matrix_on_any_device() {
    let (_, mut test) = plugin_test();
    let d = device();
    let source = format!(
        "let a = (nutorch fromvalue [[2.0 1.0 0.0] [-1.0 2.0 0.5] [0.3 0.0 1.0]] --dtype float64 --device {d});
         let r = ($a | nutorch linalg_eig);
         let av = ($a | nutorch to --dtype complex128 | nutorch matmul $r.eigenvectors);
         let vl = ($r.eigenvectors | nutorch mul $r.eigenvalues);
         {{residual: ($av | nutorch sub $vl | nutorch abs | nutorch max | nutorch item),
           norms: ($r.eigenvectors | nutorch linalg_vector_norm --dim 0 | nutorch tovalue),
           real: (($r.eigenvalues | nutorch real | nutorch sort).values | nutorch tovalue),
           eigvals: (($a | nutorch linalg_eigvals | nutorch abs | nutorch sort).values | nutorch tovalue)}}"
    );
    let out = eval(&mut test, &source).unwrap();
    let residual = out.get_data_by_key("residual").unwrap().as_float().unwrap();
    assert!(residual < 1e-12, "A V - V diag(L) = {residual}");
    let floats_of = |key: &str| -> Vec<f64> {
        out.get_data_by_key(key).unwrap().as_list().unwrap().iter().map(|v| v.as_float().unwrap()).collect()
    };
    // Unit eigenvectors, as LAPACK and PyTorch normalize them.
    assert!(floats_of("norms").iter().all(|n| (n - 1.0).abs() < 1e-12), "{:?}", floats_of("norms"));
    // torch.linalg.eigvals of the same matrix: one real eigenvalue and a conjugate pair.
    let want_real = [1.0813483977985117, 1.9593258011007424, 1.9593258011007424];
    let want_abs = [1.0813483977985117, 2.1823318648704286, 2.1823318648704286];
    for (got, want) in [(floats_of("real"), want_real), (floats_of("eigvals"), want_abs)] {
        assert!(got.iter().zip(want).all(|(g, w)| (g - w).abs() < 1e-9), "{got:?} != {want:?}");
    }
}

#[test]
fn operators_on_tensors() {
    let (_, mut test) = plugin_test();
    let d = device();
    let t = format!("let a = (nutorch fromvalue [1.0 2.0 3.0] --device {d}); let b = (nutorch fromvalue [2.0 2.0 2.0] --device {d});");
    let cases: &[(&str, Value)] = &[
        ("$a + $b", floats(&[3.0, 4.0, 5.0])),
        ("$a - 1", floats(&[0.0, 1.0, 2.0])),
        ("$a * 2.5", floats(&[2.5, 5.0, 7.5])),
        ("$a / $b", floats(&[0.5, 1.0, 1.5])),
        ("$a // $b", floats(&[0.0, 1.0, 1.0])),
        ("$a mod $b", floats(&[1.0, 0.0, 1.0])),
        ("$a ** 2", floats(&[1.0, 4.0, 9.0])),
        ("$a == $b", Value::test_list(vec![Value::test_bool(false), Value::test_bool(true), Value::test_bool(false)])),
        ("$a != 2", Value::test_list(vec![Value::test_bool(true), Value::test_bool(false), Value::test_bool(true)])),
        ("$a < $b", Value::test_list(vec![Value::test_bool(true), Value::test_bool(false), Value::test_bool(false)])),
        ("$a <= 2", Value::test_list(vec![Value::test_bool(true), Value::test_bool(true), Value::test_bool(false)])),
        ("$a > $b", Value::test_list(vec![Value::test_bool(false), Value::test_bool(false), Value::test_bool(true)])),
        ("$a >= 2", Value::test_list(vec![Value::test_bool(false), Value::test_bool(true), Value::test_bool(true)])),
    ];
    for (expr, expected) in cases {
        let v = eval(&mut test, &format!("{t} ({expr}) | nutorch tovalue")).unwrap_or_else(|e| panic!("{expr}: {e:?}"));
        assert_eq!(&v, expected, "{expr}");
    }
    let text = error_text(eval(&mut test, &format!("{t} $a + (nutorch fromvalue [1.0 2.0] --device {d})")));
    assert!(text.contains("must match the size"), "{text}");
}

#[test]
fn cell_paths_read_attributes_and_index_rows() {
    let (_, mut test) = plugin_test();
    let d = device();
    let t = format!("let t = (nutorch fromvalue [[1 2] [3 4]] --device {d});");
    assert_eq!(eval(&mut test, &format!("{t} $t.shape")).unwrap(), ints(&[2, 2]));
    assert_eq!(eval(&mut test, &format!("{t} $t.dtype")).unwrap(), Value::test_string("int64"));
    assert!(eval(&mut test, &format!("{t} $t.device"))
        .unwrap()
        .as_str()
        .unwrap()
        .starts_with(d.split(':').next().unwrap()));
    assert_eq!(eval(&mut test, &format!("{t} $t.requires_grad")).unwrap(), Value::test_bool(false));
    assert_eq!(eval(&mut test, &format!("{t} $t.ndim")).unwrap(), Value::test_int(2));
    assert_eq!(eval(&mut test, &format!("{t} $t.1 | nutorch tovalue")).unwrap(), ints(&[3, 4]));
    assert_eq!(eval(&mut test, &format!("{t} $t.1.0 | nutorch tovalue")).unwrap(), Value::test_int(3));
    assert_eq!(eval(&mut test, &format!("{t} $t.grad")).unwrap(), Value::test_nothing());
    assert_eq!(eval(&mut test, &format!("{t} $t.id")).unwrap().as_str().unwrap().len(), 36);
    assert!(error_text(eval(&mut test, &format!("{t} $t.2"))).contains("out of range"));
    assert!(error_text(eval(&mut test, &format!("{t} $t.colour"))).contains("no field 'colour'"));
}

#[test]
fn autograd_backward_grad_and_an_sgd_step_under_no_grad() {
    let (_, mut test) = plugin_test();
    let d = device();
    let setup = format!("let w = (nutorch fromvalue [1.0 2.0] --device {d} --requires-grad); let loss = ($w * $w | nutorch sum); $loss | nutorch backward;");
    assert_eq!(eval(&mut test, &format!("{setup} $w.grad | nutorch tovalue")).unwrap(), floats(&[2.0, 4.0]));
    // torch: with no_grad(): w.sub_(0.25 * w.grad)
    let step =
        format!("{setup} nutorch no-grad {{|w| $w | nutorch sub_ $w.grad --alpha 0.25 }} $w; $w | nutorch tovalue");
    assert_eq!(eval(&mut test, &step).unwrap(), floats(&[0.5, 1.0]));
    // Outside a block, the in-place change of a leaf that requires grad is refused by libtorch.
    let text = error_text(eval(&mut test, &format!("{setup} $w | nutorch sub_ 1")));
    assert!(text.contains("leaf Variable that requires grad"), "{text}");
    // zero_grad, then grads accumulate afresh.
    let again = format!("{setup} $w | nutorch zero_grad | ignore; $w.grad | nutorch tovalue");
    assert_eq!(eval(&mut test, &again).unwrap(), floats(&[0.0, 0.0]));
    // Results made in a no-grad block do not track gradients; the switch is back on after it.
    let off = format!("{setup} (nutorch no-grad {{|w| $w | nutorch mul 2 }} $w).requires_grad");
    assert_eq!(eval(&mut test, &off).unwrap(), Value::test_bool(false));
    assert_eq!(
        eval(&mut test, &format!("{setup} ($w | nutorch mul 2).requires_grad")).unwrap(),
        Value::test_bool(true)
    );
    // A block that captures a tensor gets a clear error (Nushell cannot hand it back).
    let text = error_text(eval(&mut test, &format!("{setup} nutorch no-grad {{ $w | nutorch mul 2 }}")));
    assert!(text.contains("captures tensors") || text.contains("tensor variable"), "{text}");
    // torch.autograd.grad
    let g = format!("let x = (nutorch fromvalue 3.0 --device {d} --requires-grad); $x | nutorch pow 2 | nutorch autograd_grad $x | nutorch tovalue");
    assert_eq!(eval(&mut test, &g).unwrap(), Value::test_list(vec![Value::test_float(6.0)]));
}

#[test]
fn in_place_ops_change_the_tensor_every_value_refers_to() {
    let (_, mut test) = plugin_test();
    let d = device();
    let src = format!("let a = (nutorch fromvalue [1 2] --device {d}); let b = $a; $a | nutorch add_ 10 | ignore; $b | nutorch tovalue");
    assert_eq!(eval(&mut test, &src).unwrap(), ints(&[11, 12]));
    let same = format!("let a = (nutorch fromvalue [1.0] --device {d}); ($a | nutorch mul_ 2).id == $a.id");
    assert_eq!(eval(&mut test, &same).unwrap(), Value::test_bool(true));
}

#[test]
fn mistakes_are_labelled_at_the_offending_argument() {
    let (_, mut test) = plugin_test();
    let cases: &[(&str, &str, &str)] = &[
        // (source, message part, text the label points at)
        ("nutorch zeros 2 -3", "non-negative", "2 -3"),
        ("nutorch fromvalue [1.0 2.0] | nutorch sum --dim 5", "out of range", "--dim 5"),
        ("nutorch fromvalue [1.0 2.0] | nutorch std --dim 5", "out of range", "--dim 5"),
        (
            "nutorch fromvalue [1 2] | nutorch div 2 --rounding-mode round",
            "rounding-mode must be one of",
            "--rounding-mode round",
        ),
        (
            "nutorch fromvalue [1 2] | nutorch index_select 0 (nutorch fromvalue [5])",
            "out of range",
            "(nutorch fromvalue [5])",
        ),
        (
            "nutorch fromvalue [[0.0 1.0]] | nutorch cross_entropy (nutorch fromvalue [7])",
            "out of range",
            "(nutorch fromvalue [7])",
        ),
        ("nutorch zeros 2 3 | nutorch setitem 0 [1 2 3]", "make a tensor of it with (nutorch fromvalue", "[1 2 3]"),
        ("nutorch zeros 3 | nutorch add [1 2 3]", "other is a tensor or a number, not a list", "[1 2 3]"),
        ("nutorch zeros 2 --dtype float128", "unknown dtype", "--dtype float128"),
        ("nutorch zeros 2 --device gpu", "expected cpu, cuda", "--device gpu"),
        ("nutorch fromvalue [1 2] | nutorch reshape 3", "shape '[3]' is invalid", "3"),
        ("nutorch fromvalue [1 2] | nutorch mm (nutorch fromvalue [1 2])", "", "nutorch mm"),
        ("nutorch fromvalue [1 2] | nutorch neg 3", "Extra positional argument", "3"),
        ("nutorch zeros 2 abc", "Parse mismatch", "abc"),
        ("nutorch fromvalue [1 2] | nutorch pow -1", "negative integer powers", "-1"),
        ("nutorch ones 2 --dtype int64 --requires-grad", "floating point", "--requires-grad"),
        ("nutorch arange 0 5 -1", "inconsistent with step sign", "-1"),
        ("nutorch randint 5 3 [2]", "greater than low", "3"),
        ("nutorch randint 0 [2]", "greater than low", "0"),
        ("nutorch randint 0 [2] 3", "high is one int", "[2]"),
    ];
    for (source, message, pointed) in cases {
        let (_, mut fresh) = plugin_test();
        let err = eval(&mut fresh, source).expect_err(source);
        let labeled = LabeledError::from(err.clone());
        let text = error_text(Err(err.clone()));
        assert!(text.contains(message), "{source}: {text}");
        assert_ne!(labeled.msg, "Internal error in nutorch", "{source}: a panic got through");
        // The label lies on the argument to blame: the one an error names, the dim or size
        // argument a libtorch refusal is about, else the command.
        let labelled = labelled_text(&fresh, source, err);
        assert!(
            !labelled.is_empty() && pointed.contains(labelled.as_str()),
            "{source}: label on {labelled:?}, expected within {pointed:?}"
        );
    }
    // A libtorch refusal comes back as an error and leaves the plugin working.
    assert!(eval(&mut test, "nutorch fromvalue [1 2] | nutorch mm (nutorch fromvalue [1 2])").is_err());
    assert_eq!(eval(&mut test, "nutorch fromvalue [1] | nutorch tovalue").unwrap(), ints(&[1]));
}

#[test]
fn completions_list_dtypes_devices_and_choices() {
    use nu_plugin_nutorch::commands::completion::complete;
    use nu_protocol::engine::ArgType;
    let zeros = catalog::find("zeros").unwrap();
    let dtypes = complete(zeros, &ArgType::Flag("dtype".into())).unwrap();
    assert!(dtypes.iter().any(|s| s.value == "float32") && dtypes.iter().any(|s| s.value == "bfloat16"));
    let devices = complete(zeros, &ArgType::Flag("device".into())).unwrap();
    assert_eq!(devices[0].value, "cpu");
    let loss = catalog::find("mse_loss").unwrap();
    let reductions: Vec<String> =
        complete(loss, &ArgType::Flag("reduction".into())).unwrap().into_iter().map(|s| s.value).collect();
    assert_eq!(reductions, vec!["mean", "sum", "none"]);
    assert!(complete(zeros, &ArgType::Positional(0)).is_none());
}

#[test]
fn ops_lists_every_op_and_alias_module_covers_every_command() {
    let (plugin, mut test) = plugin_test();
    let rows = eval(&mut test, "nutorch ops").unwrap();
    let rows = rows.as_list().unwrap();
    assert!(rows.len() >= catalog::all().len());
    let add = rows.iter().find(|r| r.get_data_by_key("name") == Some(Value::test_string("add"))).unwrap();
    assert_eq!(add.get_data_by_key("torch"), Some(Value::test_string("torch.add")));
    let module = eval(&mut test, "nutorch alias-module nt").unwrap();
    let module = module.as_str().unwrap();
    for command in plugin.commands() {
        if let Some(verb) = command.name().strip_prefix("nutorch ") {
            assert!(module.contains(&format!("export alias \"nt {verb}\" = nutorch {verb}\n")), "{verb}");
        }
    }
    assert!(error_text(eval(&mut test, "nutorch alias-module 'a b'")).contains("plain word"));
}

#[test]
fn signatures_list_required_typed_arguments_in_the_ops_order() {
    use nu_plugin_nutorch::commands::op::{slots, SlotKind};
    use nu_protocol::SyntaxShape;
    let (plugin, _) = plugin_test();
    let commands = plugin.commands();
    let signature =
        |name: &str| commands.iter().find(|c| c.name() == format!("nutorch {name}")).map(|c| c.signature()).unwrap();
    // Nushell hands the positionals over required first, then optional, then the rest: the
    // catalog must list them in that order (after the piped tensor) for them to land right.
    for op in catalog::all() {
        let kinds: Vec<SlotKind> = slots(op).iter().map(|(_, kind)| *kind).collect();
        let rank = |k: &SlotKind| match k {
            SlotKind::Required => 0,
            SlotKind::Optional => 1,
            SlotKind::Rest => 2,
        };
        assert!(
            kinds.windows(2).all(|w| rank(&w[0]) <= rank(&w[1])),
            "{}: positionals out of order: {kinds:?}",
            op.name
        );
        let sig = signature(op.name);
        let required = kinds.iter().filter(|k| **k == SlotKind::Required).count();
        assert_eq!(sig.required_positional.len(), required, "{}", op.name);
        // The piped tensor is no positional (unless it is a list taking the rest of the line).
        if let Some(piped) = op.piped() {
            let is_rest = op.rest().is_some_and(|r| std::ptr::eq(r, piped));
            let named = sig.required_positional.iter().chain(&sig.optional_positional).any(|p| p.name == piped.name);
            assert!(!named || is_rest, "{}: the piped {} is a positional", op.name, piped.name);
        }
    }
    let linspace = signature("linspace");
    let shapes: Vec<(&str, &SyntaxShape)> =
        linspace.required_positional.iter().map(|p| (p.name.as_str(), &p.shape)).collect();
    // A number or a 0-d tensor (`$t`, `(...)`), as PyTorch takes either; a bare word is no number.
    let number = SyntaxShape::OneOf(vec![SyntaxShape::Number, SyntaxShape::FullCellPath]);
    let int = SyntaxShape::OneOf(vec![SyntaxShape::Int, SyntaxShape::FullCellPath]);
    assert_eq!(shapes, vec![("start", &number), ("end", &number), ("steps", &int)]);
    assert!(linspace.optional_positional.is_empty() && linspace.rest_positional.is_none());
    // `sin` takes its tensor from the pipeline and nothing else.
    let sin = signature("sin");
    assert!(sin.required_positional.is_empty() && sin.optional_positional.is_empty());
    // `add <other>`: a tensor or a number; `sum [dim]`.
    let add = signature("add");
    assert_eq!(add.required_positional[0].name, "other");
    assert_eq!(signature("sum").optional_positional[0].name, "dim");
    // `zeros <size> ...size`: at least one size.
    let zeros = signature("zeros");
    assert_eq!(zeros.required_positional.len(), 1);
    assert!(zeros.rest_positional.is_some());
    // `cat ...tensors`: piped in as a list or written as arguments.
    assert!(signature("cat").rest_positional.is_some());
}

#[test]
fn shapes_are_written_out_or_given_as_one_list() {
    let (_, mut test) = plugin_test();
    for source in [
        "nutorch broadcast_shapes [2 1] [1 3]",
        "nutorch broadcast_shapes [[2 1] [1 3]]",
        "nutorch broadcast_shapes [2 1] [3]",
    ] {
        assert_eq!(eval(&mut test, source).unwrap(), ints(&[2, 3]), "{source}");
    }
    assert_eq!(eval(&mut test, "nutorch broadcast_shapes 2 1").unwrap(), ints(&[2]));
    assert_eq!(eval(&mut test, "nutorch broadcast_shapes [2 3]").unwrap(), ints(&[2, 3]));
}

#[test]
fn a_list_of_numbers_takes_ints_and_floats() {
    let (_, mut test) = plugin_test();
    let edges = eval(
        &mut test,
        "(nutorch fromvalue [0.5 1.0] | nutorch histogram 2 --range [0 1.5]).bin_edges | nutorch tovalue",
    );
    assert_eq!(edges.unwrap(), floats(&[0.0, 0.75, 1.5]));
    let text = error_text(eval(&mut test, "nutorch fromvalue [0.5] | nutorch histogram 2 --range [0 1 2]"));
    assert!(text.contains("range is [min max], got 3 numbers"), "{text}");
}

#[test]
fn missing_and_mistyped_arguments_are_parse_errors() {
    let (_, mut test) = plugin_test();
    let cases = [
        ("nutorch linspace 0 1", "nu::parser::missing_positional"),
        ("nutorch zeros", "missing size"),
        ("nutorch randperm", "missing n"),
        // Nushell names the first required positional of a union shape (an int or a 0-d tensor)
        // when one is missing among several; the error is its own, at the end of the call.
        ("nutorch arange 3 | nutorch narrow 0 1", "nu::parser::missing_positional"),
        ("nutorch zeros abc", "nu::parser::parse_mismatch"),
        ("nutorch linspace 0 1 2.5", "nu::parser::"),
        ("nutorch arange 3 | nutorch add", "missing other"),
        ("nutorch arange 3 | nutorch sum 0 1", "nu::parser::extra_positional"),
        // A list of numbers (histogram's range) takes a list, not one number or words.
        ("nutorch ones 3 | nutorch histogram 2 --range 1", "nu::parser::"),
        ("nutorch ones 3 | nutorch histogram 2 --range [a b]", "nu::parser::"),
    ];
    for (source, expected) in cases {
        let text = error_text(eval(&mut test, source));
        assert!(text.contains(expected), "{source}: {text}");
    }
    // The piped tensor is the command's own error, at the command.
    for (source, expected) in [
        ("nutorch sin", "pipe the input tensor in: `$x | nutorch sin`"),
        ("nutorch add 1", "pipe the input tensor in: `$x | nutorch add`"),
        ("nutorch cat", "pipe the tensors in as a list or write them as arguments"),
        ("nutorch polygamma 1", "pipe the input tensor in"),
    ] {
        let err = eval(&mut test, source).expect_err(source);
        let text = error_text(Err(err.clone()));
        assert!(text.contains(expected), "{source}: {text}");
        assert!(text.starts_with("Missing tensor"), "{source}: {text}");
        assert_eq!(labelled_text(&test, source, err), source.split(" 1").next().unwrap(), "{source}");
    }
}

#[test]
fn completions_cover_word_positionals() {
    use nu_plugin_nutorch::commands::completion::complete;
    use nu_protocol::engine::ArgType;
    // index_reduce(input, dim, index, source, reduce): `reduce` is the 4th positional once the
    // input is piped.
    let words: Vec<String> = complete(catalog::find("index_reduce").unwrap(), &ArgType::Positional(3))
        .unwrap()
        .into_iter()
        .map(|s| s.value)
        .collect();
    assert_eq!(words, vec!["prod", "mean", "amax", "amin"]);
    let dtypes = complete(catalog::find("promote_types").unwrap(), &ArgType::Positional(1)).unwrap();
    assert!(dtypes.iter().any(|s| s.value == "float64"));
    assert!(complete(catalog::find("index_reduce").unwrap(), &ArgType::Positional(0)).is_none());
}

#[test]
fn randint_takes_high_size_or_low_high_size() {
    let (_, mut test) = plugin_test();
    let d = device();
    let facts = |test: &mut nu_plugin_test_support::PluginTest, call: &str| {
        let v = eval(
            test,
            &format!("let r = ({call} --device {d}); {{shape: $r.shape, dtype: $r.dtype, min: ($r | nutorch min | nutorch item), max: ($r | nutorch max | nutorch item)}}"),
        )
        .unwrap();
        let get = |k: &str| v.get_data_by_key(k).unwrap();
        (
            get("shape"),
            get("dtype").as_str().unwrap().to_string(),
            get("min").as_int().unwrap(),
            get("max").as_int().unwrap(),
        )
    };
    // torch.randint(10, (2, 500)): [0, 10), int64.
    let (shape, dtype, lo, hi) = facts(&mut test, "nutorch randint 10 [2 500]");
    assert_eq!((shape, dtype.as_str()), (ints(&[2, 500]), "int64"));
    assert!(lo >= 0 && hi < 10 && hi > lo, "{lo} {hi}");
    // torch.randint(5, 8, (1000,)): [5, 8); the size as one int.
    let (shape, dtype, lo, hi) = facts(&mut test, "nutorch randint 5 8 1000");
    assert_eq!((shape, dtype.as_str()), (ints(&[1000]), "int64"));
    assert_eq!((lo, hi), (5, 7));
    let (shape, _, lo, hi) = facts(&mut test, "nutorch randint -3 0 [4 250]");
    assert_eq!(shape, ints(&[4, 250]));
    assert_eq!((lo, hi), (-3, -1));
    let (shape, dtype, ..) = facts(&mut test, "nutorch randint 3 4 --dtype int32");
    assert_eq!((shape, dtype.as_str()), (ints(&[4]), "int32"));
    // The same draws as PyTorch after manual_seed: torch.manual_seed(0); torch.randint(3, 10, (5,))
    let seeded = eval(&mut test, "nutorch manual_seed 0; nutorch randint 3 10 5 | nutorch tovalue").unwrap();
    let again = eval(&mut test, "nutorch manual_seed 0; nutorch randint 3 10 [5] | nutorch tovalue").unwrap();
    assert_eq!(seeded, again);
    // randint_like: (input, high) and (input, low, high).
    let v =
        eval(&mut test, "nutorch zeros 300 | nutorch randint_like 4 6 | nutorch aminmax | nutorch tovalue").unwrap();
    assert_eq!(
        (v.get_data_by_key("min").unwrap(), v.get_data_by_key("max").unwrap()),
        (Value::test_float(4.0), Value::test_float(5.0))
    );
}

#[test]
fn max_and_min_of_two_tensors_reduce_or_compare() {
    let (_, mut test) = plugin_test();
    let d = device();
    let setup = format!(
        "let x = (nutorch fromvalue [[1.0 5.0] [3.0 2.0]] --device {d}); let y = (nutorch fromvalue [2.0 4.0] --device {d}); "
    );
    let mut run = |src: &str| eval(&mut test, &format!("{setup}{src}")).unwrap();
    // torch.max(x, y) == torch.maximum(x, y) (broadcast), torch.min(x, y) == torch.minimum(x, y)
    assert_eq!(
        run("$x | nutorch max $y | nutorch tovalue"),
        Value::test_list(vec![floats(&[2.0, 5.0]), floats(&[3.0, 4.0])])
    );
    assert_eq!(
        run("$x | nutorch min $y | nutorch tovalue"),
        Value::test_list(vec![floats(&[1.0, 4.0]), floats(&[2.0, 2.0])])
    );
    // torch.max(x) is 0-d; torch.max(x, 1) and torch.max(x, dim=1) are (values, indices).
    assert_eq!(run("$x | nutorch max | nutorch tovalue"), Value::test_float(5.0));
    assert_eq!(run("($x | nutorch max).shape"), Value::test_list(vec![]));
    let by_dim = run("$x | nutorch max 1 | nutorch tovalue");
    assert_eq!(by_dim.get_data_by_key("values").unwrap(), floats(&[5.0, 3.0]));
    assert_eq!(by_dim.get_data_by_key("indices").unwrap(), ints(&[1, 0]));
    assert_eq!(run("$x | nutorch max --dim 1 | nutorch tovalue"), by_dim);
    assert_eq!(run("$x | nutorch min -1 | nutorch tovalue").get_data_by_key("values").unwrap(), floats(&[1.0, 2.0]));
    let text = error_text(eval(&mut test, &format!("{setup}$x | nutorch max $y --dim 0")));
    assert!(text.contains("with a second tensor there is none"), "{text}");
    let text = error_text(eval(&mut test, &format!("{setup}$x | nutorch max 0 --dim 1")));
    assert!(text.contains("given twice"), "{text}");
}

#[test]
fn norm_takes_fro_and_nuc_as_torch_norm_does() {
    let (_, mut test) = plugin_test();
    let d = device();
    let x = format!("nutorch fromvalue [[3.0 0.0] [4.0 5.0]] --dtype float64 --device {d}");
    let mut item = |src: &str| eval(&mut test, &format!("{x} | {src} | nutorch item")).unwrap().as_float().unwrap();
    // torch.norm(x) (= 'fro'), torch.norm(x, 'fro'), torch.norm(x, 'nuc'): sqrt(50), and the
    // sum of the singular values of [[3, 0], [4, 5]] (sqrt(45 + 2*sqrt(...)): 7.2111... + 2.0801...).
    assert!((item("nutorch norm") - 50f64.sqrt()).abs() < 1e-12);
    assert!((item("nutorch norm --p fro") - 50f64.sqrt()).abs() < 1e-12);
    // Singular values s1, s2: s1*s2 = |det| = 15, s1^2 + s2^2 = 50, so s1 + s2 = sqrt(50 + 30).
    assert!((item("nutorch norm --p nuc") - 80f64.sqrt()).abs() < 1e-12);
    assert!((item("nutorch norm --p 1") - 12.0).abs() < 1e-12);
    assert!((item("nutorch norm --p inf") - 5.0).abs() < 1e-12);
    let text = error_text(eval(&mut test, &format!("{x} | nutorch norm --p nuc --dim 0")));
    assert!(text.contains("two dims"), "{text}");
    let text = error_text(eval(&mut test, &format!("{x} | nutorch norm --p spectral")));
    assert!(text.contains("fro, nuc"), "{text}");
}

#[test]
fn no_command_hides_another() {
    let names: Vec<String> =
        nu_plugin_nutorch::NutorchPlugin::new().commands().iter().map(|c| c.name().to_string()).collect();
    let mut seen = std::collections::HashSet::new();
    let twice: Vec<&String> = names.iter().filter(|n| !seen.insert(n.as_str())).collect();
    assert!(twice.is_empty(), "commands registered twice (one hides the other): {twice:?}");
}
