# xfer-probe.pl: builds a chain of Amanda's own transfer elements through
# Amanda::Xfer from a line-based description on stdin, runs it and reports
# what Amanda did. Run with PERL5LIB=/usr/lib/x86_64-linux-gnu/amanda/perl.
#
# Input, one element per line, source first, destination last:
#   random SIZE SEED            Amanda::Xfer::Source::Random (simpleprng, SEED != 0)
#   pattern SIZE HEX            Amanda::Xfer::Source::Pattern (pattern given in hex)
#   fdsrc PATH                  Amanda::Xfer::Source::Fd reading PATH
#   xor KEY                     Amanda::Xfer::Filter::Xor (KEY decimal)
#   crc                         Amanda::Xfer::Filter::Crc
#   process ARGV...             Amanda::Xfer::Filter::Process (words, hex-encoded)
#   null SEED                   Amanda::Xfer::Dest::Null (SEED 0 = no verification)
#   buffer PATH                 Amanda::Xfer::Dest::Buffer; its bytes are written to PATH
#   fddest PATH                 Amanda::Xfer::Dest::Fd writing PATH
#
# Output, one record a line:
#   LINKAGE <the `Final linkage:` line from Amanda's debug log, or NONE>
#   MSG TYPE ELEMENT [crc=HEX size=N | text=...]
#   STATUS N                    the final xfer status (6 = XFER_DONE)
#   DEBUG PATH                  the debug file read (then removed)
# Amanda's error() aborts the process; the caller treats that as a finding.
use strict;
use warnings;
use Amanda::Debug;
use Amanda::Xfer qw(:constants);
use Amanda::MainLoop;

Amanda::Debug::dbopen("server");
my $dbfile = Amanda::Debug::dbfn();
$| = 1;

sub unhex { my ($h) = @_; return pack("H*", $h); }

my (@elements, @after, @keep);
while (my $line = <STDIN>) {
    chomp $line;
    next if $line =~ /^\s*(#|$)/;
    my ($kind, @args) = split ' ', $line;
    if ($kind eq 'random') {
        push @elements, Amanda::Xfer::Source::Random->new(0 + $args[0], 0 + $args[1]);
    } elsif ($kind eq 'pattern') {
        push @elements, Amanda::Xfer::Source::Pattern->new(0 + $args[0], unhex($args[1]));
    } elsif ($kind eq 'fdsrc') {
        open(my $fh, '<', $args[0]) or die "open $args[0]: $!";
        push @keep, $fh;
        push @elements, Amanda::Xfer::Source::Fd->new(fileno($fh));
    } elsif ($kind eq 'xor') {
        push @elements, Amanda::Xfer::Filter::Xor->new(0 + $args[0]);
    } elsif ($kind eq 'crc') {
        push @elements, Amanda::Xfer::Filter::Crc->new();
    } elsif ($kind eq 'process') {
        push @elements, Amanda::Xfer::Filter::Process->new([ map { unhex($_) } @args ], 0, 0, 0, 0);
    } elsif ($kind eq 'null') {
        push @elements, Amanda::Xfer::Dest::Null->new(0 + $args[0]);
    } elsif ($kind eq 'buffer') {
        my $d = Amanda::Xfer::Dest::Buffer->new(0);
        my $path = $args[0];
        push @after, sub {
            open(my $out, '>', $path) or die "open $path: $!";
            binmode $out;
            my $data = $d->get();
            print $out (defined $data ? $data : '');
            close $out;
        };
        push @elements, $d;
    } elsif ($kind eq 'fddest') {
        open(my $fh, '>', $args[0]) or die "open $args[0]: $!";
        push @keep, $fh;
        push @elements, Amanda::Xfer::Dest::Fd->new(fileno($fh));
    } else {
        die "unknown element kind `$kind`";
    }
}

sub linkage {
    open(my $db, '<', $dbfile) or return 'NONE';
    my $found = 'NONE';
    while (my $l = <$db>) {
        $found = $1 if $l =~ /(Final linkage: .*)$/;
    }
    close $db;
    return $found;
}

my $xfer = Amanda::Xfer->new(\@elements);
# Amanda closes the fds it was given; our handles must not close them again.
my $status;
$xfer->start(sub {
    my ($src, $msg, $x) = @_;
    my $elt = $msg->{elt} ? $msg->{elt}->repr() : '?';
    my $type = $msg->{type};
    my $name = $type == $XMSG_INFO ? 'INFO' : $type == $XMSG_ERROR ? 'ERROR'
        : $type == $XMSG_DONE ? 'DONE' : $type == $XMSG_CANCEL ? 'CANCEL'
        : $type == $XMSG_CRC ? 'CRC' : "TYPE$type";
    my $extra = '';
    if ($type == $XMSG_CRC) {
        $extra = " crc=$msg->{crc} size=$msg->{size}";
    } elsif (defined $msg->{message}) {
        (my $t = $msg->{message}) =~ s/\s+/ /g;
        $extra = " text=$t";
    }
    print "MSG $name $elt$extra\n";
    if ($x->get_status() == $XFER_DONE) {
        $status = $x->get_status();
        $x->get_source()->remove();
        Amanda::MainLoop::quit();
    }
}, 0, 0);
print "LINKAGE ", linkage(), "\n";
Amanda::MainLoop::run();
$_->() for @after;
print "STATUS ", (defined $status ? $status : $xfer->get_status()), "\n";
print "DEBUG $dbfile\n";
unlink $dbfile;
